/**
 * The official SDKs against the loopback stand-ins: each request's signature is recomputed
 * from the secret there; a wrong secret is refused; a provider answering 500 or hanging is a
 * retryable failure within the timeout.
 */
import { Agent } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { aliyunProvider, SmsSendError, tencentProvider } from './providers.js'
import { startAliyunStandIn, startTencentStandIn, type SmsStandIn } from '../testing/sms-standins.js'

/** Sends the SDK's connections to the stand-in while it keeps naming Tencent's own host. */
export function loopbackAgent(): Agent {
  return new Agent({
    lookup: ((_host: string, opts: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
      opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
  })
}

const stands: SmsStandIn[] = []
afterEach(async () => {
  for (const s of stands.splice(0)) await s.close()
})

const ali = { accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: 'ali-secret-0123456789' }
const ten = { secretId: 'AKIDtestSecretId', secretKey: 'tencent-secret-0123456789' }
const msg = {
  template: 'SMS_123',
  params: [
    ['code', '123456'],
    ['minutes', '10'],
  ] as Array<[string, string]>,
}

describe('Alibaba Cloud SMS through @alicloud/dysmsapi20170525', () => {
  it('sends a request the stand-in finds correctly signed (ACS3-HMAC-SHA256)', async () => {
    const s = await startAliyunStandIn(ali)
    stands.push(s)
    const p = aliyunProvider({ ...ali, signName: '书林', endpoint: s.endpoint }, { timeoutMs: 3000 })
    await p.send('13800138000', msg)
    expect(s.refused).toEqual([])
    expect(s.sent).toEqual([
      { phone: '13800138000', template: 'SMS_123', params: { code: '123456', minutes: '10' }, signName: '书林' },
    ])
  })

  it('is refused with a wrong secret, and that is not retried', async () => {
    const s = await startAliyunStandIn(ali)
    stands.push(s)
    const p = aliyunProvider(
      { ...ali, accessKeySecret: 'wrong', signName: '书林', endpoint: s.endpoint },
      { timeoutMs: 3000 },
    )
    const err = await p.send('13800138000', msg).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SmsSendError)
    expect((err as SmsSendError).retryable).toBe(false)
    expect(s.refused).toEqual(['SignatureDoesNotMatch'])
    expect(s.sent).toEqual([])
  })

  it('a provider answering 500 or hanging is a retryable failure within the timeout', async () => {
    const s = await startAliyunStandIn(ali)
    stands.push(s)
    const p = aliyunProvider({ ...ali, signName: '书林', endpoint: s.endpoint }, { timeoutMs: 500 })
    s.mode = 'fail'
    expect(await p.send('13800138000', msg).catch((e: SmsSendError) => e.retryable)).toBe(true)
    s.mode = 'hang'
    const t0 = Date.now()
    expect(await p.send('13800138000', msg).catch((e: SmsSendError) => e.retryable)).toBe(true)
    expect(Date.now() - t0).toBeLessThan(5000)
  })
})

describe('Tencent Cloud SMS through tencentcloud-sdk-nodejs-sms', () => {
  it('sends a request the stand-in finds correctly signed (TC3-HMAC-SHA256)', async () => {
    const s = await startTencentStandIn(ten)
    stands.push(s)
    const p = tencentProvider(
      {
        ...ten,
        signName: '书林',
        sdkAppId: '1400000000',
        region: 'ap-guangzhou',
        endpoint: `sms.tencentcloudapi.com:${s.port}`,
      },
      { timeoutMs: 3000 },
      { agent: loopbackAgent() },
    )
    await p.send('13800138000', msg)
    expect(s.refused).toEqual([])
    expect(s.sent).toEqual([
      { phone: '+8613800138000', template: 'SMS_123', params: ['123456', '10'], signName: '书林' },
    ])
  })

  it('is refused with a wrong secret, and that is not retried', async () => {
    const s = await startTencentStandIn(ten)
    stands.push(s)
    const p = tencentProvider(
      {
        ...ten,
        secretKey: 'wrong',
        signName: '书林',
        sdkAppId: '1400000000',
        region: 'ap-guangzhou',
        endpoint: `sms.tencentcloudapi.com:${s.port}`,
      },
      { timeoutMs: 3000 },
      { agent: loopbackAgent() },
    )
    const err = await p.send('13800138000', msg).catch((e: unknown) => e)
    expect((err as SmsSendError).retryable).toBe(false)
    expect(s.refused).toEqual(['AuthFailure.SignatureFailure'])
  })

  it('a provider answering 500 or hanging is a retryable failure within the timeout', async () => {
    const s = await startTencentStandIn(ten)
    stands.push(s)
    const p = tencentProvider(
      {
        ...ten,
        signName: '书林',
        sdkAppId: '1400000000',
        region: 'ap-guangzhou',
        endpoint: `sms.tencentcloudapi.com:${s.port}`,
      },
      { timeoutMs: 500 },
      { agent: loopbackAgent() },
    )
    s.mode = 'fail'
    expect(await p.send('13800138000', msg).catch((e: SmsSendError) => e.retryable)).toBe(true)
    s.mode = 'hang'
    const t0 = Date.now()
    expect(await p.send('13800138000', msg).catch((e: SmsSendError) => e.retryable)).toBe(true)
    expect(Date.now() - t0).toBeLessThan(5000)
  })
})
