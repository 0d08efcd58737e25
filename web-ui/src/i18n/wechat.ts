/**
 * @module i18n/wechat
 * The electronic reader card's and the WeChat settings' words, Chinese first, beside the main
 * catalogues (so they load with the pages that show them).
 */
import { format, locale } from './index.js'

const zh = {
  card: '电子读者证',
  cardNo: '读者证号',
  cardNone: '你的账号还没有读者证号，请到馆办理或联系馆员。',
  cardBrightness: '出示前请把手机屏幕调到最亮，扫码更快。',
  cardBarcode: '读者证号条形码',
  cardQr: '读者证号二维码',
  cardBindWechat: '绑定微信，下次一键登录',
  cardWechatBound: '已绑定微信',
  wechatSettings: '微信公众号',
  wechatEndpoint: '服务器地址（URL）',
  wechatAppId: 'AppID（开发者ID）',
  wechatSecret: 'AppSecret（开发者密码）',
  wechatToken: '令牌（Token）',
  wechatAesKey: '消息加解密密钥（EncodingAESKey）',
  wechatWelcome: '关注后的欢迎语',
  wechatTemplate: '通知用的模板消息 ID（字段 first、keyword1、keyword2、remark）',
  wechatSet: '已设置（不再显示；留空则不修改）',
  wechatNotSet: '未设置',
  wechatFromFlag: '来自启动参数 SHULIN_WECHAT_TOKEN',
  wechatSave: '保存',
  wechatSaved: '已保存',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  card: 'Library card',
  cardNo: 'Card number',
  cardNone: 'Your account has no card number yet: ask at the library.',
  cardBrightness: 'Turn your screen to full brightness before showing it: it scans faster.',
  cardBarcode: 'Card number as a barcode',
  cardQr: 'Card number as a QR code',
  cardBindWechat: 'Bind WeChat to sign in with one tap next time',
  cardWechatBound: 'WeChat bound',
  wechatSettings: 'WeChat official account',
  wechatEndpoint: 'Server URL',
  wechatAppId: 'AppID',
  wechatSecret: 'AppSecret',
  wechatToken: 'Token',
  wechatAesKey: 'EncodingAESKey',
  wechatWelcome: 'Welcome message for new followers',
  wechatTemplate: 'Template message ID for notices (fields first, keyword1, keyword2, remark)',
  wechatSet: 'Set (never shown again; leave empty to keep)',
  wechatNotSet: 'Not set',
  wechatFromFlag: 'from the SHULIN_WECHAT_TOKEN start flag',
  wechatSave: 'Save',
  wechatSaved: 'Saved',
}

export function wt(key: Key, params: Record<string, string | number> = {}): string {
  return format((locale() === 'en' ? en : zh)[key], params)
}
