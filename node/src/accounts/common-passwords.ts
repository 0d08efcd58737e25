/**
 * @module accounts/common-passwords
 * The 49k-entry common-password list of `@zxcvbn-ts/language-common`, plus passwords common
 * in China that the list lacks (from published leak analyses: pinyin phrases, lucky numbers).
 */

const chinaCommon = [
  'woaini1314',
  'woaini520',
  '5201314',
  '1314520',
  '88888888',
  '66666666',
  '11111111',
  '00000000',
  '1qaz2wsx',
  'qq123456',
  'a123456789',
  'aa123456',
  'abc123456',
  'wang1234',
  'zhang123',
  'li123456',
  'woaini123',
  'iloveyou1314',
  'asd123456',
  'qwe123456',
  'zxc123456',
  '147258369',
  '123456aa',
  '123qwe123',
]

let set: Promise<Set<string>> | undefined

/**
 * The list (several MiB with the rest of the package's dictionaries) loads on the first
 * password check, not at start: an idle county node stays small.
 */
export async function loadCommonPasswords(): Promise<(lowercased: string) => boolean> {
  set ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set([...(dictionary['passwords-common'] as string[]), ...chinaCommon]),
  )
  const s = await set
  return (lowercased) => s.has(lowercased)
}
