/**
 * @module wechat/message
 * The XML of WeChat's message protocol: an inbound message or event read safely (no DOCTYPE,
 * no entities — the parser's entity processing is off and a document declaring any is refused
 * before it is parsed —, a size limit, CDATA read as text) and checked with zod; replies
 * (text, news of at most 8 articles, the safe-mode envelope) written with every value in CDATA.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { z } from 'zod'

/** Inbound messages are a few hundred bytes; the endpoint's body limit is this too. */
export const maxMessageBytes = 16 * 1024
/** WeChat shows at most 8 articles in a news reply. */
export const maxArticles = 8

export class WechatXmlError extends Error {
  override readonly name = 'WechatXmlError'
}

const text = z.string().max(4096)
/** The fields Shulin reads; WeChat sends more (pictures, locations…), which pass through unread. */
export const InboundMessage = z.looseObject({
  ToUserName: text,
  FromUserName: text.min(1),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.string().max(32),
  Content: text.optional(),
  MsgId: z
    .string()
    .regex(/^\d{1,24}$/)
    .optional(),
  Event: z.string().max(64).optional(),
  EventKey: text.optional(),
})
export type InboundMessage = z.infer<typeof InboundMessage>

/** The safe-mode envelope: the ciphertext (and the account, unencrypted). */
export const EncryptedEnvelope = z.looseObject({ ToUserName: text.optional(), Encrypt: z.string().min(1).max(20000) })
export type EncryptedEnvelope = z.infer<typeof EncryptedEnvelope>

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
})

/** Reads `<xml>…</xml>` into its fields, refusing anything that is not plain, small, well-formed XML. */
export function readXml<T>(xml: string, schema: z.ZodType<T>): T {
  if (Buffer.byteLength(xml) > maxMessageBytes) throw new WechatXmlError('too large')
  // Entity expansion (billion laughs) and external entities need a DOCTYPE: refuse any.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new WechatXmlError('DOCTYPE and entities are refused')
  if (XMLValidator.validate(xml) !== true) throw new WechatXmlError('not well-formed XML')
  const doc: unknown = parser.parse(xml)
  const root = (doc as { xml?: unknown } | null)?.xml
  const parsed = schema.safeParse(root)
  if (!parsed.success) throw new WechatXmlError('not a WeChat message')
  return parsed.data
}

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`

export interface Article {
  title: string
  description: string
  url: string
  picUrl?: string | undefined
}

interface ReplyTo {
  /** The reader's openid (the message's FromUserName). */
  toUser: string
  /** The official account (the message's ToUserName). */
  fromUser: string
  createTime: number
}

export function textReply(to: ReplyTo, content: string): string {
  return (
    `<xml><ToUserName>${cdata(to.toUser)}</ToUserName><FromUserName>${cdata(to.fromUser)}</FromUserName>` +
    `<CreateTime>${to.createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content></xml>`
  )
}

export function newsReply(to: ReplyTo, articles: Article[]): string {
  const items = articles
    .slice(0, maxArticles)
    .map(
      (a) =>
        `<item><Title>${cdata(a.title)}</Title><Description>${cdata(a.description)}</Description>` +
        `<PicUrl>${cdata(a.picUrl ?? '')}</PicUrl><Url>${cdata(a.url)}</Url></item>`,
    )
    .join('')
  return (
    `<xml><ToUserName>${cdata(to.toUser)}</ToUserName><FromUserName>${cdata(to.fromUser)}</FromUserName>` +
    `<CreateTime>${to.createTime}</CreateTime><MsgType>${cdata('news')}</MsgType>` +
    `<ArticleCount>${Math.min(articles.length, maxArticles)}</ArticleCount><Articles>${items}</Articles></xml>`
  )
}

/** The safe-mode reply: the encrypted reply with its own signature, timestamp and nonce. */
export function encryptedReply(e: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return (
    `<xml><Encrypt>${cdata(e.encrypt)}</Encrypt><MsgSignature>${cdata(e.signature)}</MsgSignature>` +
    `<TimeStamp>${e.timestamp}</TimeStamp><Nonce>${cdata(e.nonce)}</Nonce></xml>`
  )
}
