/**
 * @module accounts/common-passwords
 * The 49k-entry common-password list of `@zxcvbn-ts/language-common`, plus passwords common
 * in China that the list lacks (from published leak analyses: pinyin phrases, lucky numbers).
 */
import { dictionary } from '@zxcvbn-ts/language-common'

const chinaCommon = [
  'woaini1314', 'woaini520', '5201314', '1314520', '88888888', '66666666', '11111111', '00000000',
  '1qaz2wsx', 'qq123456', 'a123456789', 'aa123456', 'abc123456', 'wang1234', 'zhang123', 'li123456',
  'woaini123', 'iloveyou1314', 'asd123456', 'qwe123456', 'zxc123456', '147258369', '123456aa', '123qwe123',
]

let set: Set<string> | undefined

export function isCommonPassword(lowercased: string): boolean {
  set ??= new Set([...(dictionary['passwords-common'] as string[]), ...chinaCommon])
  return set.has(lowercased)
}
