/**
 * @module wechat/schemas
 * The WeChat official account's settings as the staff console reads and writes them (the
 * secret, token and AES key are write-only: the console is told only whether each is set),
 * and a reader's binding to an openid.
 */
import { z } from 'zod'

export const WechatSettingsView = z.object({
  appId: z.string(),
  secretSet: z.boolean(),
  tokenSet: z.boolean(),
  /** Where the token in effect comes from: the console, the SHULIN_WECHAT_TOKEN flag, or none. */
  tokenSource: z.enum(['console', 'flag', 'none']),
  aesKeySet: z.boolean(),
  welcome: z.string(),
  /** The template (模板消息) notices are sent with: first, keyword1 (what), keyword2 (when), remark. */
  template: z.string(),
  /** The address to give WeChat's console as the server URL. */
  endpoint: z.string(),
})
export type WechatSettingsView = z.infer<typeof WechatSettingsView>

/** Omitted fields stay as they are; an empty string clears one. */
export const WechatSettingsUpdate = z.strictObject({
  appId: z
    .string()
    .regex(/^(wx[0-9a-f]{16})?$/, 'an AppID is wx and 16 hex digits')
    .optional(),
  secret: z
    .string()
    .regex(/^([0-9A-Za-z]{16,64})?$/)
    .optional(),
  token: z
    .string()
    .regex(/^([0-9A-Za-z]{3,32})?$/, 'a token is 3 to 32 letters or digits')
    .optional(),
  aesKey: z
    .string()
    .regex(/^([0-9A-Za-z+/]{43})?$/, 'an EncodingAESKey is 43 letters or digits')
    .optional(),
  welcome: z.string().max(600).optional(),
  template: z
    .string()
    .regex(/^([0-9A-Za-z_-]{8,64})?$/)
    .optional(),
})
export type WechatSettingsUpdate = z.infer<typeof WechatSettingsUpdate>

export const WechatBinding = z.object({ bound: z.boolean(), since: z.number().int().optional() })
export type WechatBinding = z.infer<typeof WechatBinding>
