/**
 * @module sms/providers
 * One text message to one phone through a provider's official SDK: Alibaba Cloud SMS
 * (`@alicloud/dysmsapi20170525`, signed V3 ACS3-HMAC-SHA256 by the SDK) and Tencent Cloud SMS
 * (`tencentcloud-sdk-nodejs-sms`, TC3-HMAC-SHA256). Each failure says whether trying again may
 * help (the provider down, slow or throttling) or not (a refused key, template or number), so
 * the outbox retries only what can succeed.
 */
import type { Agent } from 'node:http'
import DysmsModule, { SendSmsRequest } from '@alicloud/dysmsapi20170525'
import { $OpenApiUtil } from '@alicloud/openapi-core'
import tencentSms from 'tencentcloud-sdk-nodejs-sms'

/**
 * The Alibaba client is CommonJS `exports.default`: Node hands ESM the whole exports object,
 * a bundler or Vitest's interop the class itself; take whichever this is.
 */
const Dysms = ('default' in DysmsModule ? DysmsModule.default : DysmsModule) as typeof DysmsModule.default

/** A text ready for a provider: its template there and the template's parameters in order. */
export interface ProviderMessage {
  /** Alibaba's TemplateCode or Tencent's TemplateId. */
  template: string
  /** Named parameters, in the template's order (Tencent's are positional). */
  params: Array<[name: string, value: string]>
}

export interface SmsProvider {
  readonly name: 'aliyun' | 'tencent'
  /** Sends or throws {@link SmsSendError}; mainland numbers are 11 digits without +86. */
  send(phone: string, message: ProviderMessage): Promise<void>
}

export class SmsSendError extends Error {
  override readonly name = 'SmsSendError'
  constructor(
    message: string,
    /** The provider may accept the same request later (down, slow, throttling). */
    readonly retryable: boolean,
    readonly code = '',
  ) {
    super(message)
  }
}

/** How long one try may take before it counts as failed (and is retried). */
export interface ProviderTiming {
  timeoutMs: number
}

export interface AliyunSettings {
  accessKeyId: string
  accessKeySecret: string
  signName: string
  /** `host[:port]`; the SDK's own endpoint (dysmsapi.aliyuncs.com) when absent. */
  endpoint?: string
}

/** Alibaba answers throttling and its own trouble with these: worth another try. */
const aliyunRetryable = /^(Throttling|ServiceUnavailable|InternalError|isv\.BUSINESS_LIMIT_CONTROL)/

const isLoopback = (endpoint: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(endpoint)

export function aliyunProvider(s: AliyunSettings, timing: ProviderTiming): SmsProvider {
  const client = new Dysms(
    new $OpenApiUtil.Config({
      accessKeyId: s.accessKeyId,
      accessKeySecret: s.accessKeySecret,
      endpoint: s.endpoint || 'dysmsapi.aliyuncs.com',
      // A loopback stand-in speaks plain HTTP; the provider itself only over TLS.
      protocol: s.endpoint && isLoopback(s.endpoint) ? 'http' : 'https',
      connectTimeout: timing.timeoutMs,
      readTimeout: timing.timeoutMs,
    }),
  )
  return {
    name: 'aliyun',
    async send(phone, message) {
      let body: { code?: string; message?: string } | undefined
      try {
        const res = await client.sendSms(
          new SendSmsRequest({
            phoneNumbers: phone,
            signName: s.signName,
            templateCode: message.template,
            templateParam: JSON.stringify(Object.fromEntries(message.params)),
          }),
        )
        body = res.body
      } catch (err) {
        const e = err as { statusCode?: number; code?: string; message?: string }
        const code = e.code ?? ''
        // No status: the request never got an answer (refused, reset, timed out).
        const retryable = !e.statusCode || e.statusCode >= 500 || aliyunRetryable.test(code)
        throw new SmsSendError(`aliyun: ${e.message ?? String(err)}`, retryable, code)
      }
      if (body?.code !== 'OK')
        throw new SmsSendError(
          `aliyun: ${body?.code ?? 'no code'} ${body?.message ?? ''}`,
          aliyunRetryable.test(body?.code ?? ''),
          body?.code ?? '',
        )
    },
  }
}

export interface TencentSettings {
  secretId: string
  secretKey: string
  signName: string
  /** SmsSdkAppId of the SMS application. */
  sdkAppId: string
  region: string
  /** `host[:port]`; sms.tencentcloudapi.com when absent. */
  endpoint?: string
}

const tencentRetryable = /^(InternalError|RequestLimitExceeded|ResourceUnavailable|FailedOperation\.(Timeout|Busy))/

/** `agent` routes the SDK's connections (tests point it at a loopback stand-in). */
export function tencentProvider(s: TencentSettings, timing: ProviderTiming, opts: { agent?: Agent } = {}): SmsProvider {
  const endpoint = s.endpoint || 'sms.tencentcloudapi.com'
  const client = new tencentSms.sms.v20210111.Client({
    credential: { secretId: s.secretId, secretKey: s.secretKey },
    region: s.region,
    profile: {
      httpProfile: {
        endpoint,
        protocol: opts.agent || isLoopback(endpoint) ? 'http://' : 'https://',
        reqMethod: 'POST',
        reqTimeout: timing.timeoutMs / 1000,
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
    },
  })
  return {
    name: 'tencent',
    async send(phone, message) {
      let status: { Code?: string; Message?: string } | undefined
      try {
        const res = await client.SendSms({
          PhoneNumberSet: [`+86${phone}`],
          SmsSdkAppId: s.sdkAppId,
          SignName: s.signName,
          TemplateId: message.template,
          TemplateParamSet: message.params.map(([, v]) => v),
        })
        status = res.SendStatusSet?.[0]
      } catch (err) {
        const e = err as { code?: string; message?: string }
        const code = e.code ?? ''
        // No code: the SDK never got Tencent's answer (refused, reset, timed out, HTTP 5xx).
        throw new SmsSendError(`tencent: ${e.message ?? String(err)}`, !code || tencentRetryable.test(code), code)
      }
      if (status?.Code !== 'Ok')
        throw new SmsSendError(
          `tencent: ${status?.Code ?? 'no status'} ${status?.Message ?? ''}`,
          tencentRetryable.test(status?.Code ?? ''),
          status?.Code ?? '',
        )
    },
  }
}
