/**
 * @module i18n/face
 * The words of the library's face (logo, theme colours, page titles), Chinese first, beside the
 * main catalogues.
 */
import { locale } from './index.js'

const zh = {
  libraryLogo: '馆标',
  uploadLogo: '上传馆标',
  logoHint: 'PNG、JPEG 或 WebP，不超过 1 MB；也用作读者把门户添加到手机桌面时的图标。',
  logoUploaded: '馆标已更新。',
  currentLogo: '当前馆标',
  themeColours: '主题颜色',
  themeHint:
    '页眉、按钮和链接用主色，焦点框和提示用强调色。两种颜色与白色、米色底的对比度都须达到 4.5 : 1（WCAG AA）。',
  themeInk: '主色',
  themeAccent: '强调色',
  contrastOk: '对比度 {ratio} : 1，符合 WCAG AA',
  contrastLow: '对比度 {ratio} : 1，低于 4.5 : 1，文字会看不清',
  saveColours: '保存颜色',
  defaultColours: '恢复默认颜色',
  coloursSaved: '颜色已保存，已生效。',
  pageSearch: '检索',
  pageCourses: '公开课',
  pageActivities: '阅读活动',
  pageLive: '直播',
  pageNews: '新闻公告',
  pageSignIn: '登录',
  pageRegister: '注册',
  pageMe: '我的',
  pageShelf: '书架',
  pageStaff: '管理后台',
  pageCatalog: '馆藏目录',
  networkName: '网络名称',
  networkNameHint: '总馆门户的页眉和标题显示网络名称，本馆馆名列在其下。',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  libraryLogo: 'Logo',
  uploadLogo: 'Upload a logo',
  logoHint: 'PNG, JPEG or WebP, at most 1 MB; also the icon when a reader adds the portal to a phone’s home screen.',
  logoUploaded: 'Logo updated.',
  currentLogo: 'Current logo',
  themeColours: 'Theme colours',
  themeHint:
    'The main colour is the header’s, the buttons’ and the links’; the accent is the focus ring’s and the warnings’. Both need 4.5 : 1 contrast on white and on the paper background (WCAG AA).',
  themeInk: 'Main colour',
  themeAccent: 'Accent',
  contrastOk: 'Contrast {ratio} : 1, meets WCAG AA',
  contrastLow: 'Contrast {ratio} : 1, under 4.5 : 1: text would be hard to read',
  saveColours: 'Save colours',
  defaultColours: 'Back to the default colours',
  coloursSaved: 'Colours saved; in effect now.',
  pageSearch: 'Search',
  pageCourses: 'Courses',
  pageActivities: 'Activities',
  pageLive: 'Live',
  pageNews: 'News',
  pageSignIn: 'Sign in',
  pageRegister: 'Register',
  pageMe: 'Me',
  pageShelf: 'Shelf',
  pageStaff: 'Staff console',
  pageCatalog: 'Catalogue',
  networkName: 'Network name',
  networkNameHint:
    'The hub’s portal shows the network’s name in its header and title, with this library’s name under it.',
}

export function ft(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''))
}
