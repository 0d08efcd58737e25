/**
 * @module i18n/portal
 * The home page's and its layout console's words, Chinese first, beside the main catalogues.
 */
import { locale } from './index.js'

const zh = {
  banners: '推荐',
  shelfMore: '更多',
  shelfItems: '{title}：横向滚动',
  courses: '公开课',
  live: '讲座直播',
  activities: '阅读活动',
  liveNow: '直播中',
  inCollection: '在“{title}”中搜索',
  clearCollection: '搜索全部馆藏',
  searchWithin: '在其中搜索',
  // The staff console.
  layoutTitle: '首页布局',
  layoutHint: '调整首页各栏目的顺序，隐藏不需要的栏目；横幅按顺序轮播，没有图片的横幅不会显示。',
  layoutSections: '首页栏目',
  layoutBanners: '横幅',
  layoutShown: '显示',
  layoutUp: '上移',
  layoutDown: '下移',
  layoutRemove: '删除',
  layoutSave: '保存布局',
  layoutSaved: '已保存',
  layoutNewBanner: '添加横幅',
  layoutAlt: '替代文字（图片上写了什么、点开去哪里）',
  layoutHref: '链接（本站路径如 /collections/…，或 https:// 地址）',
  layoutImage: '图片（JPEG、PNG 或 WebP，不超过 5 MB；宽高比 3:1，文字放在中间）',
  layoutNoImage: '还没有图片，读者看不到',
  layoutAdd: '添加',
  sectionBanners: '横幅',
  sectionNews: '新闻公告',
  sectionShelves: '栏目和专题书架',
  sectionNewArrivals: '新书上架',
  sectionRecommendations: '猜你喜欢',
  sectionCourses: '公开课',
  sectionLive: '讲座直播',
  sectionActivities: '阅读活动',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  banners: 'Featured',
  shelfMore: 'More',
  shelfItems: '{title}: scrolls sideways',
  courses: 'Courses',
  live: 'Live lectures',
  activities: 'Reading activities',
  liveNow: 'Live now',
  inCollection: 'Searching in “{title}”',
  clearCollection: 'Search the whole catalogue',
  searchWithin: 'Search within',
  layoutTitle: 'Home page layout',
  layoutHint:
    'Order the home page’s sections and hide the ones you do not need; banners rotate in order, and a banner without an image is not shown.',
  layoutSections: 'Sections',
  layoutBanners: 'Banners',
  layoutShown: 'Shown',
  layoutUp: 'Move up',
  layoutDown: 'Move down',
  layoutRemove: 'Remove',
  layoutSave: 'Save layout',
  layoutSaved: 'Saved',
  layoutNewBanner: 'Add a banner',
  layoutAlt: 'Alternative text (what the image says, where it leads)',
  layoutHref: 'Link (a path here such as /collections/…, or an https:// address)',
  layoutImage: 'Image (JPEG, PNG or WebP, up to 5 MB; 3:1, text in the middle)',
  layoutNoImage: 'No image yet: readers do not see it',
  layoutAdd: 'Add',
  sectionBanners: 'Banners',
  sectionNews: 'News',
  sectionShelves: 'Column and topic shelves',
  sectionNewArrivals: 'New arrivals',
  sectionRecommendations: 'For you',
  sectionCourses: 'Courses',
  sectionLive: 'Live lectures',
  sectionActivities: 'Reading activities',
}

export function pt(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''))
}
