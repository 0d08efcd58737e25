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
  noSignIn: '这台触屏不提供登录。借阅、收藏请在自己的手机上打开本馆门户。',
  devicesTitle: '设备模式',
  devicesIntro: '在体验区的触屏或电视上打开下面的地址一次，这台设备就一直以该模式显示；打开 /mode/off 恢复普通门户。',
  devicesKiosk: '触屏一体机（竖屏 1080×1920）',
  devicesKioskAbout: '大按钮，拼音首字母检索，默认不能登录，无人操作一段时间后回到首页。',
  devicesIdle: '无人操作多少秒后回到首页（3–3600）',
  devicesIdleError: '请填 3 到 3600 之间的整数。',
  devicesSignIn: '允许读者在这台触屏上登录',
  devicesTv: '电视（1920×1080）',
  devicesTvAbout: '用遥控器方向键和确定键操作，公开课和直播在前。',
  devicesAddress: '地址',
  devicesThis: '把这台设备设为此模式',
  devicesCurrent: '这台设备当前：{mode}',
  devicesNone: '普通门户',
  devicesOff: '恢复普通门户',
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
  noSignIn: 'This touch screen has no sign-in. To borrow or keep books, open the portal on your own phone.',
  devicesTitle: 'Device modes',
  devicesIntro:
    'Open the address below once on the experience zone’s touch screen or TV and the device stays in that mode; /mode/off brings the ordinary portal back.',
  devicesKiosk: 'Touch-screen kiosk (portrait 1080×1920)',
  devicesKioskAbout:
    'Large buttons, search by pinyin initials, no sign-in by default, back to the start after a while untouched.',
  devicesIdle: 'Seconds untouched before it goes back to the start (3–3600)',
  devicesIdleError: 'A whole number from 3 to 3600, please.',
  devicesSignIn: 'Let readers sign in on this touch screen',
  devicesTv: 'TV (1920×1080)',
  devicesTvAbout: 'Driven by the remote’s arrow keys and OK; courses and live lectures first.',
  devicesAddress: 'Address',
  devicesThis: 'Set this device up so',
  devicesCurrent: 'This device now: {mode}',
  devicesNone: 'the ordinary portal',
  devicesOff: 'Back to the ordinary portal',
}

export function mt(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
}
