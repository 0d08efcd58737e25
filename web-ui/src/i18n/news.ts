/**
 * @module i18n/news
 * The news pages' words, Chinese first, beside the main catalogues (they load with the pages).
 */
import { format, locale } from './index.js'

const zh = {
  news: '新闻公告',
  newsAll: '全部',
  newsEmpty: '暂无新闻公告。',
  newsPinned: '置顶',
  newsFromHub: '来自{name}',
  newsBack: '‹ 新闻公告',
  newsMore: '更多',
  newsFeed: '订阅（Atom）',
  editorNew: '写新闻',
  editorTitle: '标题',
  editorBody: '正文（HTML）',
  editorBodyHint: '可用：段落、小标题、粗体、斜体、链接、列表、引用、图片；其余标记保存时会被清除。',
  editorPinned: '置顶',
  editorFrom: '开始显示',
  editorTo: '停止显示',
  editorStatus: '状态',
  statusDraft: '草稿',
  statusPublished: '已发布',
  statusWithdrawn: '已撤回',
  editorSave: '保存',
  editorSaved: '已保存',
  editorPreview: '预览',
  editorImage: '插入图片',
  editorEdit: '编辑',
  editorHubPost: '总馆发布',
  toolbar: '排版工具',
  toolH: '小标题',
  toolB: '粗体',
  toolI: '斜体',
  toolLink: '链接',
  toolList: '列表',
  toolQuote: '引用',
  linkPrompt: '链接地址（https://…）',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  news: 'News',
  newsAll: 'All',
  newsEmpty: 'No news yet.',
  newsPinned: 'Pinned',
  newsFromHub: 'From {name}',
  newsBack: '‹ News',
  newsMore: 'More',
  newsFeed: 'Subscribe (Atom)',
  editorNew: 'New post',
  editorTitle: 'Title',
  editorBody: 'Text (HTML)',
  editorBodyHint:
    'Paragraphs, headings, bold, italic, links, lists, quotes and images; any other markup is removed on save.',
  editorPinned: 'Pinned',
  editorFrom: 'Show from',
  editorTo: 'Show until',
  editorStatus: 'Status',
  statusDraft: 'Draft',
  statusPublished: 'Published',
  statusWithdrawn: 'Withdrawn',
  editorSave: 'Save',
  editorSaved: 'Saved',
  editorPreview: 'Preview',
  editorImage: 'Insert image',
  editorEdit: 'Edit',
  editorHubPost: 'From the hub',
  toolbar: 'Formatting',
  toolH: 'Heading',
  toolB: 'Bold',
  toolI: 'Italic',
  toolLink: 'Link',
  toolList: 'List',
  toolQuote: 'Quote',
  linkPrompt: 'Link address (https://…)',
}

export function nt(key: Key, params: Record<string, string | number> = {}): string {
  return format((locale() === 'en' ? en : zh)[key], params)
}
