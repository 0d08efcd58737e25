/**
 * @module reading/position
 * Where a reader is in a resource — an EPUB CFI, a PDF page, seconds into audio or video —
 * kept on this device (so a book opened once reopens offline at the right place) and on the
 * server (so the reader's other devices get it). On opening, the newer of the two wins.
 */
import type { ReadingPosition, ReadingState } from '@shulin/protocol'
import { api, session } from '../api.js'

interface Saved {
  position: ReadingPosition
  fraction: number
  at: string
}

const key = (id: string) => `shulin.position.${id}`
const device = () => (/Mobi|Android|iPhone|iPad/i.test(navigator.userAgent) ? 'phone' : 'browser')

function local(id: string): Saved | null {
  try {
    return JSON.parse(localStorage.getItem(key(id)) ?? 'null') as Saved | null
  } catch {
    return null
  }
}

/** The newest known position, from this device or the server. */
export async function loadPosition(id: string): Promise<ReadingPosition | undefined> {
  const mine = local(id)
  const state = session.current ? await api<ReadingState>(`/api/me/reading/${id}`).catch(() => undefined) : undefined
  const server = state?.progress
  if (mine && (!server || mine.at > server.at)) return mine.position
  return server?.position
}

/** Keeps positions as they change and sends the latest to the server now and then. */
export class PositionKeeper {
  #timer: number | undefined
  /** Called with the position once the server has it (tests watch this). */
  onSaved: ((p: ReadingPosition) => void) | undefined

  constructor(
    private readonly id: string,
    private readonly delayMs = 1000,
  ) {}

  update(position: ReadingPosition, fraction: number): void {
    localStorage.setItem(
      key(this.id),
      JSON.stringify({ position, fraction, at: new Date().toISOString() } satisfies Saved),
    )
    clearTimeout(this.#timer)
    this.#timer = window.setTimeout(() => this.flush(), this.delayMs)
  }

  flush(): void {
    clearTimeout(this.#timer)
    const saved = local(this.id)
    if (!saved || !session.current) return
    void api(`/api/me/reading/${this.id}/progress`, {
      method: 'PUT',
      body: {
        position: saved.position,
        percentage: Math.min(1, Math.max(0, saved.fraction)),
        device: device(),
        at: saved.at,
      },
    })
      .then(() => this.onSaved?.(saved.position))
      .catch(() => {
        /* offline: the position stays on this device and goes up with the next change */
      })
  }
}

/** How far into a resource this device last read (0–1), or undefined if never here. */
export function savedFraction(id: string): number | undefined {
  const f = local(id)?.fraction
  return typeof f === 'number' && Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : undefined
}
