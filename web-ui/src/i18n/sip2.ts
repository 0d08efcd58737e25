/**
 * @module i18n/sip2
 * The SIP2 (ILS sign-in) settings' words, Chinese first, loaded with the page that shows them.
 */
import { locale } from './index.js'

const zh = {
  sip2Settings: '借阅系统登录（SIP2）',
  sip2Intro: '读者用图书馆集成系统（ILS）的读者证号和密码登录本节点。',
  sip2Url: 'SIP2 地址',
  sip2Source: '当前来源',
  sip2FromConsole: '控制台',
  sip2FromEnvironment: '启动参数 SHULIN_SIP2_URL',
  sip2None: '未配置',
  sip2Save: '保存',
  sip2Clear: '清除控制台设置',
  sip2Test: '测试连接',
  sip2Saved: '已保存',
  sip2TestOk: '已连接并登录借阅系统',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  sip2Settings: 'Sign-in with the ILS (SIP2)',
  sip2Intro: 'Readers sign in here with the card number and PIN of the library’s ILS.',
  sip2Url: 'SIP2 URL',
  sip2Source: 'In use from',
  sip2FromConsole: 'the console',
  sip2FromEnvironment: 'the SHULIN_SIP2_URL start setting',
  sip2None: 'not configured',
  sip2Save: 'Save',
  sip2Clear: 'Clear the console’s setting',
  sip2Test: 'Test the connection',
  sip2Saved: 'Saved',
  sip2TestOk: 'Connected and logged in to the ILS',
}

export function st(key: Key): string {
  return (locale() === 'en' ? en : zh)[key]
}
