/**
 * @module http/base-url
 * The absolute URL readers and harvesters reach this node at: the configured public URL, or
 * what the request itself shows (honouring X-Forwarded-* only behind a trusted proxy).
 */
import type { Context } from 'hono'

export type BaseUrl = (c: Context) => string

export function baseUrlResolver(opts: { publicUrl?: string | undefined; trustProxy: boolean }): BaseUrl {
  if (opts.publicUrl) {
    const fixed = opts.publicUrl.replace(/\/+$/, '')
    return () => fixed
  }
  return (c) => {
    const url = new URL(c.req.url)
    if (opts.trustProxy) {
      const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
      const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim()
      if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`
      if (host && /^[\w.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/i.test(host)) url.host = host
    }
    return url.origin
  }
}
