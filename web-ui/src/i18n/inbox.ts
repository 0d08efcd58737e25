/**
 * @module i18n/inbox
 * The inbox's and the subscribe button's words, Chinese first, beside the main catalogues (so
 * they load with the pages that show them).
 */
import { locale } from './index.js'

const zh = {
  inbox: '消息',
  inboxUnread: '{n} 条未读',
  inboxEmpty: '还没有消息。订阅公开课后，新的一讲上线会通知你。',
  inboxMarkAll: '全部标为已读',
  inboxNewLecture: '新的一讲',
  unreadMark: '未读',
  subscribe: '订阅课程',
  subscribed: '已订阅课程',
  subscribeSeries: '订阅专题“{series}”',
  subscribedSeries: '已订阅专题“{series}”',
  subscribeHint: '新的一讲上线时，会在“消息”里通知你',
  subscribeSignIn: '登录后订阅',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  inbox: 'Inbox',
  inboxUnread: '{n} unread',
  inboxEmpty: 'No messages yet. Subscribe to a course to hear of its new lectures.',
  inboxMarkAll: 'Mark all read',
  inboxNewLecture: 'New lecture',
  unreadMark: 'unread',
  subscribe: 'Subscribe to the course',
  subscribed: 'Subscribed to the course',
  subscribeSeries: 'Subscribe to the series “{series}”',
  subscribedSeries: 'Subscribed to the series “{series}”',
  subscribeHint: 'You will find each new lecture in your inbox',
  subscribeSignIn: 'Sign in to subscribe',
}

export function it(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''))
}
