/**
 * @module i18n/modes
 * The kiosk's and the TV's words, Chinese first, beside the main catalogues (they load with
 * the modes).
 */
import { locale } from './index.js'

const zh = {
  kioskTitle: '触屏检索',
  kioskHint: '点字母输入书名或作者的拼音首字母，例如“春江花月夜”输入 CJHYY。',
  kioskQuery: '检索词',
  kioskKeyboard: '拼音首字母键盘',
  kioskDelete: '删除',
  kioskClear: '清空',
  kioskResults: '检索结果',
  kioskNoResults: '没有找到，换几个字母试试。',
  kioskFound: '找到 {count} 条',
  kioskNew: '新书上架',
  kioskIdle: '无人操作 {seconds} 秒后回到首页',
  modeHome: '首页',
  modeBack: '返回',
  modeNav: '导航',
  tvLive: '直播',
  tvLiveNow: '正在直播',
  tvCourses: '公开课',
  tvNew: '新书上架',
  tvEmpty: '暂无内容。',
  tvHint: '用遥控器的方向键选择，按“确定”打开。',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  kioskTitle: 'Touch search',
  kioskHint: 'Tap the first letters of the pinyin of a title or an author: CJHYY finds 春江花月夜.',
  kioskQuery: 'Search for',
  kioskKeyboard: 'Pinyin initials keyboard',
  kioskDelete: 'Delete',
  kioskClear: 'Clear',
  kioskResults: 'Results',
  kioskNoResults: 'Nothing found; try other letters.',
  kioskFound: '{count} found',
  kioskNew: 'New arrivals',
  kioskIdle: 'Back to the start after {seconds} s without a touch',
  modeHome: 'Home',
  modeBack: 'Back',
  modeNav: 'Navigation',
  tvLive: 'Live',
  tvLiveNow: 'Live now',
  tvCourses: 'Courses',
  tvNew: 'New arrivals',
  tvEmpty: 'Nothing here yet.',
  tvHint: 'Choose with the arrow keys of the remote; press OK to open.',
}

export function mt(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
}
