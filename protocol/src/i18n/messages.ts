/**
 * @module messages
 * Server-side message catalog: titles of problem codes and details of field errors,
 * in zh-CN and English. The web UI has its own catalogs for its own strings.
 */
import type { ProblemCode } from '../problem.js'
import type { Locale } from './locale.js'

type Catalog = Record<string, { 'zh-CN': string; en: string }>

export const problemTitles: Record<ProblemCode, { 'zh-CN': string; en: string }> = {
  validation_failed: { 'zh-CN': '提交的内容有误，请检查后重试', en: 'Some fields are not valid' },
  malformed_json: { 'zh-CN': '请求内容不是有效的 JSON', en: 'The request body is not valid JSON' },
  sparql_malformed: { 'zh-CN': 'SPARQL 查询有语法错误', en: 'The SPARQL query is not valid' },
  sparql_update_refused: {
    'zh-CN': '此 SPARQL 端点只读，不接受更新（INSERT、DELETE、LOAD 等）',
    en: 'This SPARQL endpoint is read-only; updates (INSERT, DELETE, LOAD, …) are refused',
  },
  sparql_time_limit: {
    'zh-CN': 'SPARQL 查询超出时间限制，已停止',
    en: 'The SPARQL query ran past the time limit and was stopped',
  },
  sparql_result_limit: {
    'zh-CN': 'SPARQL 查询结果超出条数限制',
    en: 'The SPARQL query gives more results than the limit',
  },
  sparql_not_acceptable: {
    'zh-CN': '无法以所请求的格式（Accept）返回结果',
    en: 'The results cannot be given in a format the Accept header allows',
  },
  unsupported_media_type: { 'zh-CN': '请以 application/json 提交', en: 'Send the body as application/json' },
  payload_too_large: { 'zh-CN': '提交的内容过大', en: 'The request body is too large' },
  unauthenticated: { 'zh-CN': '请先登录', en: 'Please sign in first' },
  forbidden: { 'zh-CN': '您没有执行此操作的权限', en: 'You are not allowed to do this' },
  csrf_failed: { 'zh-CN': '页面已过期，请刷新后重试', en: 'This page has expired; reload and try again' },
  not_found: { 'zh-CN': '找不到请求的内容', en: 'Not found' },
  method_not_allowed: { 'zh-CN': '不支持此请求方法', en: 'Method not allowed' },
  phone_taken: {
    'zh-CN': '该手机号已注册，请直接登录或找回密码',
    en: 'This phone number is already registered; sign in or reset your password',
  },
  id_number_taken: {
    'zh-CN': '该身份证号已注册，请直接登录或找回密码',
    en: 'This ID number is already registered; sign in or reset your password',
  },
  username_taken: { 'zh-CN': '该用户名已被使用', en: 'This username is taken' },
  card_taken: { 'zh-CN': '该读者证号已存在', en: 'This card number already exists' },
  identifier_taken: {
    'zh-CN': '该标识符（ISBN/ISSN 等）已属于另一条资源',
    en: 'This identifier (ISBN/ISSN…) already belongs to another resource',
  },
  precondition_failed: {
    'zh-CN': '该资源已被他人修改，请刷新后重试',
    en: 'Someone else changed this resource; reload and try again',
  },
  precondition_required: {
    'zh-CN': '修改资源时须提供 If-Match 版本号',
    en: 'Send If-Match with the revision you are changing',
  },
  conflict: { 'zh-CN': '当前状态下不能执行此操作', en: 'This cannot be done in the current state' },
  range_not_satisfiable: { 'zh-CN': '请求的范围超出文件大小', en: 'The requested range is outside the file' },
  not_acceptable: { 'zh-CN': '无法以所要求的格式提供', en: 'None of the accepted formats can be served' },
  file_rejected: { 'zh-CN': '文件无法接受', en: 'The file cannot be accepted' },
  join_refused: { 'zh-CN': '中心节点拒绝了加入请求', en: 'The hub refused to admit this node' },
  peer_unreachable: { 'zh-CN': '无法连接到对方节点', en: 'The other node cannot be reached' },
  sign_in_refused: {
    'zh-CN': '未能通过读者所在图书馆登录，请重试',
    en: 'Signing in through your home library did not succeed; please try again',
  },
  home_unknown: { 'zh-CN': '找不到该读者所在的图书馆', en: 'No member library was found for this reader' },
  misdirected_request: {
    'zh-CN': '这不是本馆的网址，不能从这里登录；请打开本馆的正式网址再试',
    en: 'This is not one of this library’s own addresses; open the library at its own address to sign in',
  },
  invalid_credentials: { 'zh-CN': '账号或密码错误', en: 'Wrong account or password' },
  too_many_attempts: { 'zh-CN': '尝试次数过多，请稍后再试', en: 'Too many attempts; please try again later' },
  ils_unavailable: {
    'zh-CN': '暂时无法连接图书馆的借阅系统，请稍后再试',
    en: 'The library’s circulation system cannot be reached just now; please try again later',
  },
  patron_blocked: {
    'zh-CN': '借阅系统拒绝了此读者证，请联系图书馆',
    en: 'The library’s circulation system refuses this card; please contact the library',
  },
  account_disabled: {
    'zh-CN': '该账号已停用，请联系图书馆',
    en: 'This account is disabled; please contact the library',
  },
  invalid_code: { 'zh-CN': '验证码错误或已过期', en: 'The code is wrong or has expired' },
  invalid_setup_token: { 'zh-CN': '初始化链接无效或已使用', en: 'The setup link is invalid or already used' },
  setup_done: { 'zh-CN': '本馆已完成初始化', en: 'This node is already set up' },
  signup_closed: { 'zh-CN': '当前不在报名时间内', en: 'Sign-up for this event is not open now' },
  already_signed_up: { 'zh-CN': '您已报名此活动', en: 'You have already signed up for this event' },
  not_signed_up: { 'zh-CN': '您尚未报名此活动', en: 'You have not signed up for this event' },
  check_in_invalid: {
    'zh-CN': '签到码无效（无法识别或已被篡改）',
    en: 'This check-in code is not valid (unreadable or tampered with)',
  },
  check_in_expired: { 'zh-CN': '签到码已过期', en: 'This check-in code has expired' },
  check_in_wrong_activity: { 'zh-CN': '这是其他活动的签到码', en: 'This check-in code is for another activity' },
  check_in_cancelled: { 'zh-CN': '该报名已取消', en: 'This sign-up was cancelled' },
  already_checked_in: { 'zh-CN': '已签到，不能重复签到', en: 'Already checked in' },
  shutting_down: { 'zh-CN': '服务正在重启，请稍后再试', en: 'The node is restarting; try again shortly' },
  content_fetching: {
    'zh-CN': '正在从联盟其他图书馆获取这份内容，请稍后再打开',
    en: 'This content is on its way from another library of the network; open it again shortly',
  },
  content_unavailable: {
    'zh-CN': '暂时无法从联盟中任何一家图书馆获取这份内容，请稍后再试',
    en: 'No library of the network that holds this content can be reached now; try again later',
  },
  insufficient_storage: {
    'zh-CN': '服务器磁盘已满，暂时无法保存；请管理员清理空间后再试',
    en: 'The server’s disk is full, so nothing can be saved; an administrator must free space, then try again',
  },
  low_disk_space: {
    'zh-CN': '服务器磁盘剩余空间不足，暂停上传和导入；请管理员清理空间后再试',
    en: 'The server is low on disk space, so uploads and imports are paused; an administrator must free space, then try again',
  },
  not_ready: { 'zh-CN': '节点尚未就绪', en: 'The node is not ready' },
  already_liked_today: {
    'zh-CN': '今天已为该作品点过赞，明天（北京时间）可再点',
    en: 'You have liked this entry today; like it again tomorrow (Beijing time)',
  },
  outside_phase: { 'zh-CN': '活动当前阶段不接受此操作', en: 'The activity is not in the phase for this' },
  entry_limit_reached: { 'zh-CN': '已达到本活动每人作品数上限', en: 'You have reached this activity’s entry limit' },
  audio_rejected: { 'zh-CN': '录音无法接受', en: 'The recording cannot be accepted' },
  not_a_finalist: { 'zh-CN': '该作品未进入评审', en: 'This entry did not reach judging' },
  results_published: {
    'zh-CN': '活动结果已公布，作品不能再撤回',
    en: 'The results are published; entries can no longer be withdrawn',
  },
  internal: { 'zh-CN': '服务器出了点问题，请稍后再试', en: 'Something went wrong on the server; try again later' },
}

/** Details for field errors raised by Shulin's own rules (zod's own issues use zod's locales). */
export const fieldMessages: Catalog = {
  control_characters: { 'zh-CN': '不能包含控制字符', en: 'must not contain control characters' },
  lone_surrogate: {
    'zh-CN': '含有残缺的字符（半个代理对），请重新输入',
    en: 'contains a broken character (half a surrogate pair); type it again',
  },
  too_short: { 'zh-CN': '密码至少需要 8 个字符', en: 'must be at least 8 characters' },
  too_long: { 'zh-CN': '密码过长', en: 'is too long' },
  too_common: { 'zh-CN': '密码过于常见，请换一个', en: 'is too common; choose another' },
  needs_letters_and_digits: { 'zh-CN': '密码需同时包含字母和数字', en: 'must contain letters and digits' },
  legacy_shape: { 'zh-CN': '密码须为 6–12 位字母和数字的组合', en: 'must be 6–12 letters and digits, with both' },
  invalid_phone: { 'zh-CN': '请输入有效的 11 位手机号', en: 'must be a valid 11-digit mobile number' },
  invalid_id_number: { 'zh-CN': '身份证号无效，请检查出生日期和校验位', en: 'is not a valid resident ID number' },
  invalid_username: {
    'zh-CN': '用户名须以字母开头，3–32 位字母、数字、下划线',
    en: 'must start with a letter, 3–32 letters, digits or _ . -',
  },
  invalid_card: { 'zh-CN': '读者证号须为 4–32 位字母或数字', en: 'must be 4–32 letters or digits' },
  invalid_identifier: {
    'zh-CN': '标识符无效（ISBN/ISSN 校验位错误？）',
    en: 'is not a valid identifier (ISBN/ISSN check digit?)',
  },
  invalid_date: { 'zh-CN': '日期须为 YYYY、YYYY-MM 或 YYYY-MM-DD', en: 'must be YYYY, YYYY-MM or YYYY-MM-DD' },
  invalid_clc: { 'zh-CN': '中图法分类号格式不正确', en: 'is not a CLC class number' },
  invalid_parent: { 'zh-CN': '上级资源不正确（期刊 → 期 → 文章）', en: 'wrong parent (journal → issue → article)' },
  required: { 'zh-CN': '必填', en: 'is required' },
  audio_not_audio: { 'zh-CN': '不是录音（无法解码出声音）', en: 'is not a recording (no sound can be decoded)' },
  audio_too_long: { 'zh-CN': '录音过长', en: 'is longer than the activity allows' },
  audio_too_short: { 'zh-CN': '录音过短', en: 'is too short' },
  audio_silent: { 'zh-CN': '录音没有声音', en: 'is silent' },
}

export function problemTitle(code: ProblemCode, locale: Locale): string {
  return problemTitles[code][locale]
}

/** A field message by key, or the key itself when it is not one of ours. */
export function fieldMessage(key: string, locale: Locale): string {
  const own = fieldMessages[key]?.[locale]
  if (own) return own
  return key in problemTitles ? problemTitles[key as ProblemCode][locale] : key
}
