/**
 * @module i18n/sms
 * The SMS settings page's words, Chinese first, beside the main catalogues.
 */
import { format, locale } from './index.js'

const zh = {
  smsTitle: '短信服务',
  smsHint: '验证码和通知通过所选服务商发送；未配置时验证码只写入节点日志（开发用）。',
  smsProvider: '服务商',
  smsConsole: '不发送（写入日志）',
  smsAliyun: '阿里云短信',
  smsTencent: '腾讯云短信',
  smsKeyId: 'AccessKey ID / SecretId',
  smsSecret: 'AccessKey Secret / SecretKey',
  smsSecretSet: '已保存（{hint}），留空则不变',
  smsSignName: '短信签名',
  smsSdkAppId: 'SmsSdkAppId（腾讯云）',
  smsRegion: '地域（腾讯云）',
  smsTplReset: '模板：重置密码验证码',
  smsTplVerify: '模板：注册验证码',
  smsTplNotice: '模板：通知',
  smsVerify: '快速注册需短信验证手机号',
  smsPerPhone: '每个手机号每天最多',
  smsPerAddress: '每个 IP 地址每天最多',
  smsSave: '保存',
  smsSaved: '已保存，已生效。',
  smsTest: '发送测试短信到',
  smsSend: '发送',
  smsTestSent: '测试短信：{result}',
  regCode: '短信验证码',
  regGetCode: '获取验证码',
  regResend: '{seconds} 秒后可重新获取',
  regCodeSent: '验证码已发送到 {phone}，请查看短信。',
  regPhoneFirst: '请先填写手机号。',
  regTooMany: '该手机号或网络今天获取验证码的次数已用完，请在 {when}后再试。',
  regHours: '{n} 小时',
  regMinutes: '{n} 分钟',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  smsTitle: 'SMS',
  smsHint:
    'Codes and notices go out through the chosen provider; with none, codes are only written to the node log (development).',
  smsProvider: 'Provider',
  smsConsole: 'None (write to the log)',
  smsAliyun: 'Alibaba Cloud SMS',
  smsTencent: 'Tencent Cloud SMS',
  smsKeyId: 'AccessKey ID / SecretId',
  smsSecret: 'AccessKey Secret / SecretKey',
  smsSecretSet: 'Saved ({hint}); leave empty to keep it',
  smsSignName: 'Sign name',
  smsSdkAppId: 'SmsSdkAppId (Tencent)',
  smsRegion: 'Region (Tencent)',
  smsTplReset: 'Template: password reset code',
  smsTplVerify: 'Template: registration code',
  smsTplNotice: 'Template: notice',
  smsVerify: 'Quick registration verifies the phone by SMS',
  smsPerPhone: 'Texts per phone per day',
  smsPerAddress: 'Texts per IP address per day',
  smsSave: 'Save',
  smsSaved: 'Saved; in effect now.',
  smsTest: 'Send a test text to',
  smsSend: 'Send',
  smsTestSent: 'Test text: {result}',
  regCode: 'Code from the text message',
  regGetCode: 'Get a code',
  regResend: 'Resend in {seconds} s',
  regCodeSent: 'A code was sent to {phone}; check your text messages.',
  regPhoneFirst: 'Type your phone number first.',
  regTooMany: 'This phone or network has had all its codes for today; try again in {when}.',
  regHours: '{n, plural, one {# hour} other {# hours}}',
  regMinutes: '{n, plural, one {# minute} other {# minutes}}',
}

export function st(key: Key, params: Record<string, string | number> = {}): string {
  return format((locale() === 'en' ? en : zh)[key], params)
}
