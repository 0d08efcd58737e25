/**
 * @module i18n/kosync
 * The KOReader sync box's words (reader's page) and the desk's real-name verification, Chinese
 * first, beside the main catalogues.
 */
import { locale } from './index.js'

const zh = {
  kosyncTitle: 'KOReader 阅读进度同步',
  kosyncHint:
    '在 KOReader 中打开“进度同步”→“自定义同步服务器”，填入下面的地址，再用用户名和同步密钥登录。本馆的 EPUB 和 PDF 在 KOReader 与网页阅读器之间互通进度。',
  kosyncServer: '服务器地址',
  kosyncUsername: '用户名',
  kosyncKey: '同步密钥（只显示这一次，请现在填入 KOReader）',
  kosyncCreate: '生成同步密钥',
  kosyncRenew: '重新生成（旧密钥立即失效）',
  kosyncRevoke: '停用同步密钥',
  kosyncSince: '当前密钥生成于 {when}',
  realNameVerified: '已实名认证',
  realNameNotVerified: '未实名认证',
  realNameVerify: '已核验身份证，标记为实名',
  realNameUnverify: '撤销实名认证',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  kosyncTitle: 'KOReader progress sync',
  kosyncHint:
    'In KOReader open Progress sync → Custom sync server, enter the address below, then log in with the username and the sync key. The library’s EPUBs and PDFs share progress between KOReader and the web reader.',
  kosyncServer: 'Server address',
  kosyncUsername: 'Username',
  kosyncKey: 'Sync key (shown this once: enter it in KOReader now)',
  kosyncCreate: 'Make a sync key',
  kosyncRenew: 'Make a new key (the old one stops working)',
  kosyncRevoke: 'Revoke the sync key',
  kosyncSince: 'Current key made on {when}',
  realNameVerified: 'Real name verified',
  realNameNotVerified: 'Real name not verified',
  realNameVerify: 'ID card seen: mark verified',
  realNameUnverify: 'Take the verification back',
}

export function kt(key: Key, params: Record<string, string | number> = {}): string {
  return (locale() === 'en' ? en : zh)[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''))
}
