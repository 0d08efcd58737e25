/**
 * @module sip2/url
 * `SHULIN_SIP2_URL=sip2://USER:PASSWORD@HOST:PORT?institution=ID[&location=LOC][&tls=1]`:
 * where the library's ILS listens for SIP2 and how the node logs in to it.
 */
import { z } from 'zod'

export interface Sip2Settings {
  host: string
  port: number
  /** The SC login (93 CN / CO) the ILS's staff created for the node. */
  user: string
  password: string
  /** AO: the institution the ILS knows its patrons under. */
  institution: string
  /** CP: the location code of the node, when the ILS wants one. */
  location?: string | undefined
  tls: boolean
}

/** A setting's text → settings, or a message saying what is wrong (never echoing the password). */
export function parseSip2Url(text: string): { ok: true; value: Sip2Settings } | { ok: false; message: string } {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { ok: false, message: 'not a URL: sip2://USER:PASSWORD@HOST:PORT?institution=ID' }
  }
  if (url.protocol !== 'sip2:') return { ok: false, message: 'the scheme must be sip2://' }
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  if (!user || !password) return { ok: false, message: 'the ILS login is missing: sip2://USER:PASSWORD@HOST:PORT' }
  const port = Number(url.port)
  if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: 'HOST:PORT is missing (SIP2 has no default port)' }
  }
  const institution = url.searchParams.get('institution')
  if (!institution) return { ok: false, message: 'institution=ID is missing' }
  const tls = url.searchParams.get('tls')
  if (tls !== null && tls !== '0' && tls !== '1') return { ok: false, message: 'tls must be 0 or 1' }
  const known = new Set(['institution', 'location', 'tls'])
  for (const key of url.searchParams.keys()) {
    if (!known.has(key)) return { ok: false, message: `unknown parameter ${key}` }
  }
  return {
    ok: true,
    value: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      user,
      password,
      institution,
      location: url.searchParams.get('location') ?? undefined,
      tls: tls === '1',
    },
  }
}

/** The zod form of the setting, for `NodeConfig`: the URL stays text, checked here. */
export const Sip2Url = z.string().superRefine((text, ctx) => {
  const r = parseSip2Url(text)
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message })
})
