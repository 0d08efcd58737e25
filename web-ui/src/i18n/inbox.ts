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
  kind_new_lecture: '新的一讲',
  kind_live_starting: '直播即将开始',
  kind_activity_results: '活动结果',
  kind_activity_phase: '活动进展',
  kind_signup_confirmed: '报名成功',
  kind_topic_items: '专题新书',
  kind_password_changed: '账号安全',
  kind_new_device: '账号安全',
  notifySettings: '通知设置',
  notifyIntro: '所有通知都会进“消息”。你还可以选择以下方式接收：',
  notifyPush: '浏览器推送',
  notifySms: '短信',
  notifyWechat: '微信服务通知',
  notifyUnavailable: '本馆未开通',
  notifyPushHere: '在此浏览器开启推送',
  notifyPushOn: '此浏览器已开启推送（共 {n} 个设备）',
  notifyPushFailed: '无法开启推送：{reason}',
  notifyPushDenied: '浏览器拒绝了通知权限，请在浏览器设置中允许。',
  notifyQuiet: '免打扰时段（北京时间）',
  notifyQuietFrom: '从',
  notifyQuietTo: '到',
  notifyQuietHint: '免打扰时段内的通知会在结束后送达；密码修改、新设备登录等安全提醒除外。',
  notifySave: '保存',
  notifySaved: '已保存',
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
  kind_new_lecture: 'New lecture',
  kind_live_starting: 'Live lecture starting',
  kind_activity_results: 'Activity results',
  kind_activity_phase: 'Activity news',
  kind_signup_confirmed: 'Signed up',
  kind_topic_items: 'New in a topic',
  kind_password_changed: 'Account security',
  kind_new_device: 'Account security',
  notifySettings: 'Notification settings',
  notifyIntro: 'Every notice goes to your inbox. You can also receive them by:',
  notifyPush: 'Browser push',
  notifySms: 'SMS',
  notifyWechat: 'WeChat service messages',
  notifyUnavailable: 'not offered by this library',
  notifyPushHere: 'Turn on push in this browser',
  notifyPushOn: 'Push is on in this browser ({n} devices in all)',
  notifyPushFailed: 'Push could not be turned on: {reason}',
  notifyPushDenied: 'The browser refused notifications; allow them in its settings.',
  notifyQuiet: 'Quiet hours (Beijing time)',
  notifyQuietFrom: 'From',
  notifyQuietTo: 'to',
  notifyQuietHint: 'Notices in quiet hours arrive when they end, except security ones (password changed, new sign-in).',
  notifySave: 'Save',
  notifySaved: 'Saved',
}

export function it(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''))
}
