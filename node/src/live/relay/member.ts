/**
 * @module live/relay/member
 * A member's side of relaying the hub's live lectures. It asks the hub for its lectures every
 * few seconds and mirrors each in this node's {@link LiveService} (origin: the hub), so its
 * readers see them in `GET /api/live`. While one is live it pulls the playlist, and each
 * segment once, into the lecture's own HLS folder, so its readers fetch them from this node:
 * the hub gives one copy per member whatever the number of viewers. And it keeps one room link
 * to the hub per live lecture: its readers' messages go up, the hub room's broadcasts come back
 * into this node's room ({@link LiveRooms.apply}).
 *
 * When the hub cannot be reached the relay says `reconnecting` ({@link MemberLiveRelay.onState}),
 * tries again with a growing pause, and resumes at the live edge: segments it missed are never
 * fetched, and its playlist marks the gap so players jump it instead of stalling.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LiveView, RelayState, RoomAuthor, RoomClientMessage, RoomDownlink, RoomUplink } from '@shulin/protocol'
import { liveLimits } from '@shulin/protocol'
import type { Host, RoomLinkEnd } from '@shulin/federation'
import type { Logger } from '../../logger.js'
import type { DistributionNetwork } from '../../distribution/components.js'
import type { LiveRooms, SubmitResult } from '../room/index.js'
import { playlistName, type LiveService } from '../service.js'
import { readPlaylist, writePlaylist, type MediaPlaylist } from './playlist.js'

export interface MemberRelayInit {
  /** How often the hub's lectures are asked for (default 5 s). */
  listEveryMs?: number
  /** Segments taken at the live edge on (re)connecting; older ones are never fetched (default 3). */
  edgeSegments?: number
  /** The longest pause between tries while the hub cannot be reached (default 5 s). */
  maxBackoffMs?: number
  /** How long a reader's message waits for the hub's answer (default 5 s). */
  submitTimeoutMs?: number
}

export interface MemberRelayComponents {
  network: Pick<DistributionNetwork, 'whenHost' | 'hubPeer'>
  live: LiveService
  /** This node's own rooms (a relayed lecture's room shows what the hub's broadcasts). */
  rooms: LiveRooms
  logger?: Logger | undefined
}

/** What the relay of one lecture has done, for the status route and the bench. */
export interface RelayCounts {
  state: RelayState
  /** Segments fetched from the hub, and those skipped (missed while the link was down, or failed). */
  segments: number
  skipped: number
  /** When the last segment was written (ISO), null before the first. */
  lastSegmentAt: string | null
}

type StateListener = (liveId: string, state: RelayState) => void

/** One playlist being relayed: what this node holds of it. */
interface Track {
  held: Set<string>
  skipped: Set<string>
  failures: Map<string, number>
  /** True until the first playlist read after (re)connecting: start at the live edge. */
  fresh: boolean
}

/** One lecture being relayed. */
interface Relayed {
  id: string
  stop: boolean
  tracks: Map<string, Track>
  maps: Set<string>
  link: RoomLinkEnd<RoomUplink> | undefined
  /** Stops sending this node's delay figure up. */
  offDelay?: () => void
  linking: boolean
  pending: Map<string, (r: SubmitResult) => void>
  counts: RelayCounts
  /** The playlist fetch and the room link each report; the lecture is `connected` when both are. */
  filesOk: boolean
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref())
const tmpName = (name: string) => `.${name}.${process.pid}.tmp`

export class MemberLiveRelay {
  readonly #relayed = new Map<string, Relayed>()
  readonly #listeners = new Set<StateListener>()
  #host: Host | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  #refs = 0
  readonly #init: Required<MemberRelayInit>

  constructor(
    private readonly c: MemberRelayComponents,
    init: MemberRelayInit = {},
  ) {
    this.#init = {
      listEveryMs: init.listEveryMs ?? 5000,
      edgeSegments: init.edgeSegments ?? 3,
      maxBackoffMs: init.maxBackoffMs ?? 5000,
      submitTimeoutMs: init.submitTimeoutMs ?? 5000,
    }
  }

  async start(): Promise<void> {
    await this.c.network.whenHost(async (host) => {
      this.#host = host
      const tick = () => {
        if (this.#stopped) return
        void this.#schedule()
          .catch((err: unknown) => this.c.logger?.debug({ err }, "could not read the hub's live lectures"))
          .finally(() => {
            if (!this.#stopped) this.#timer = setTimeout(tick, this.#init.listEveryMs).unref()
          })
      }
      tick()
    })
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    for (const r of this.#relayed.values()) this.#end(r)
  }

  /** Told whenever a relayed lecture's link to the hub drops (`reconnecting`) or comes back. */
  onState(listener: StateListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The relay of a lecture this node relays now, if it does. */
  counts(liveId: string): RelayCounts | undefined {
    return this.#relayed.get(liveId)?.counts
  }

  /**
   * A reader's message for a relayed lecture's room, taken to the hub's room; the answer is
   * the hub's (its broadcast then comes back to everyone, this reader too).
   */
  submit(liveId: string, author: RoomAuthor, msg: RoomClientMessage): Promise<SubmitResult> {
    const r = this.#relayed.get(liveId)
    const link = r?.link
    if (!r || !link || r.pending.size >= liveLimits.maxPendingRefs)
      return Promise.resolve({
        ok: false,
        refused: { type: 'refused', code: 'invalid', detail: 'Reconnecting to the broadcasting library; try again.' },
      })
    const ref = `r${++this.#refs}`
    return new Promise<SubmitResult>((resolve) => {
      const timer = setTimeout(() => {
        r.pending.delete(ref)
        resolve({
          ok: false,
          refused: { type: 'refused', code: 'invalid', detail: 'The broadcasting library did not answer; try again.' },
        })
      }, this.#init.submitTimeoutMs)
      timer.unref()
      r.pending.set(ref, (result) => {
        clearTimeout(timer)
        r.pending.delete(ref)
        resolve(result)
      })
      link.send({ type: 'submit', ref, author, msg })
    })
  }

  /** Asks the hub for its lectures; mirrors each; starts relaying the live ones, ends the ended. */
  async #schedule(): Promise<void> {
    const host = this.#host
    const hub = await this.c.network.hubPeer()
    if (!host || !hub) return
    const { askLiveList } = await import('@shulin/federation')
    const lectures = await askLiveList(host, hub.addrs)
    for (const view of lectures) {
      if (view.origin.nodeId !== hub.hub) continue
      try {
        await this.#mirror(view, hub.hub)
      } catch (err) {
        this.c.logger?.warn({ err, liveId: view.id }, "could not mirror a hub's live lecture")
        continue
      }
      const running = this.#relayed.get(view.id)
      if (view.status === 'live' && !running) this.#relay(view.id)
      if (view.status === 'ended') {
        // One last pull takes the hub's final playlist (its end mark); then the relay stops.
        if (running) running.stop = true
        else await this.c.live.setStatus(view.id, 'ended')
      }
    }
  }

  async #mirror(view: LiveView, hub: string): Promise<void> {
    const old = await this.c.live.store.get(view.id)
    const same =
      old &&
      old.title === view.title &&
      old.start === view.start &&
      old.description === view.description &&
      old.access === view.access &&
      JSON.stringify(old.speakers) === JSON.stringify(view.speakers)
    if (!same) await this.c.live.createMirror(view, { nodeId: hub, name: view.origin.name })
  }

  #setState(r: Relayed, ok: boolean): void {
    const state: RelayState = ok && !!r.link ? 'connected' : 'reconnecting'
    r.filesOk = ok
    if (state === r.counts.state) return
    r.counts.state = state
    for (const l of this.#listeners) l(r.id, state)
  }

  #relay(id: string): void {
    const r: Relayed = {
      id,
      stop: false,
      tracks: new Map(),
      maps: new Set(),
      link: undefined,
      linking: false,
      pending: new Map(),
      counts: { state: 'reconnecting', segments: 0, skipped: 0, lastSegmentAt: null },
      filesOk: false,
    }
    this.#relayed.set(id, r)
    // This node's viewers' delay figure (the room's, every few seconds) goes up to the hub's
    // moderators, on a link that speaks 1.1.0 only.
    r.offDelay = this.c.rooms.subscribe(id, (msg, audience) => {
      if (msg.type !== 'delay' || audience !== 'moderators' || !r.link?.delayFrames) return
      const ms = Math.round(msg.ms)
      if (ms >= 0 && ms <= 10 * 60_000 && msg.viewers >= 1)
        r.link.send({ type: 'delay', ms, viewers: Math.min(msg.viewers, 1_000_000) })
    })
    // Neither may end the process: a full disk or a closing database only stops this relay.
    void this.#link(r).catch((err: unknown) => this.c.logger?.warn({ err, liveId: id }, 'the room link gave up'))
    void this.#pull(r).catch((err: unknown) => {
      this.c.logger?.warn({ err, liveId: id }, 'the live relay stopped')
      this.#end(r)
    })
  }

  #end(r: Relayed): void {
    r.offDelay?.()
    r.stop = true
    r.link?.close()
    this.#relayed.delete(r.id)
  }

  /** Keeps one room link to the hub while the lecture is relayed, opening it again when it drops. */
  async #link(r: Relayed): Promise<void> {
    let pause = 500
    while (!r.stop && !this.#stopped && !r.link) {
      const hub = await this.c.network.hubPeer()
      try {
        if (!hub || !this.#host) throw new Error('not joined')
        const { openLiveRoom } = await import('@shulin/federation')
        const closed = () => {
          r.link = undefined
          for (const resolve of r.pending.values())
            resolve({ ok: false, refused: { type: 'refused', code: 'invalid', detail: 'Reconnecting; try again.' } })
          this.#setState(r, r.filesOk)
          if (!r.stop && !this.#stopped) void sleep(500).then(() => this.#link(r))
        }
        r.link = await openLiveRoom(
          this.#host,
          hub.addrs,
          { live: r.id },
          { message: (m) => void this.#down(r, m), closed },
          (msg, err) => this.c.logger?.debug({ err }, msg),
        )
        this.#setState(r, r.filesOk)
        if (r.stop) r.link.close()
        return
      } catch (err) {
        this.c.logger?.debug({ err, liveId: r.id }, "could not open the hub's room")
        await sleep(pause)
        pause = Math.min(pause * 2, this.#init.maxBackoffMs)
      }
    }
  }

  async #down(r: Relayed, m: RoomDownlink): Promise<void> {
    if (m.type === 'broadcast') {
      await this.c.rooms
        .apply(r.id, m.msg)
        .catch((err: unknown) => this.c.logger?.warn({ err, liveId: r.id }, "could not apply the hub room's message"))
      return
    }
    const resolve = r.pending.get(m.ref)
    if (!resolve) return
    if (m.type === 'accepted') resolve({ ok: true, message: null })
    else resolve({ ok: false, refused: { type: 'refused', code: m.code, detail: m.detail } })
  }

  /** Pulls the playlist and new segments until the lecture ends; on failure waits and resumes at the edge. */
  async #pull(r: Relayed): Promise<void> {
    const dir = this.c.live.hlsDir(r.id)
    await mkdir(dir, { recursive: true })
    let pause = 500
    let rounds = 0
    let finalPull = false
    while (!this.#stopped) {
      // A stop asked by the list (the hub ended the lecture) gets one more pull for the end mark.
      if (r.stop) {
        if (finalPull) break
        finalPull = true
      }
      let wait: number
      try {
        const { target, ended } = await this.#round(r, dir, playlistName)
        this.#setState(r, true)
        pause = 500
        if (rounds++ % 10 === 0) await this.#sweep(r, dir)
        if ((await this.c.live.store.get(r.id))?.status === 'scheduled') await this.c.live.setStatus(r.id, 'live')
        if (ended) break
        wait = Math.max(250, (target * 1000) / 3)
      } catch (err) {
        this.c.logger?.debug({ err, liveId: r.id }, "could not pull the hub's live playlist")
        if ((err as { reason?: string }).reason === 'not_live' && finalPull) break
        this.#setState(r, false)
        for (const t of r.tracks.values()) t.fresh = true
        wait = pause
        pause = Math.min(pause * 2, this.#init.maxBackoffMs)
      }
      await sleep(wait)
    }
    if (!this.#stopped) {
      await this.c.live.setStatus(r.id, 'ended').catch(() => {})
      this.#end(r)
    }
  }

  /** One playlist (a master's variants in turn): the new segments, then the playlist naming them. */
  async #round(r: Relayed, dir: string, name: string): Promise<{ target: number; ended: boolean }> {
    const { askLiveFile } = await import('@shulin/federation')
    const hub = await this.c.network.hubPeer()
    if (!hub || !this.#host) throw new Error('not joined')
    const host = this.#host
    const bytes = await askLiveFile(host, hub.addrs, { want: 'playlist', live: r.id, name })
    const p = readPlaylist(new TextDecoder().decode(bytes))
    if ('error' in p) throw new Error(`the hub's playlist is refused: ${p.error}`)
    if (p.kind === 'master') {
      let out = { target: 2, ended: false }
      for (const v of p.variants.slice(0, 8)) out = await this.#round(r, dir, v)
      await this.#write(dir, name, bytes)
      return out
    }
    const track = r.tracks.get(name) ?? { held: new Set(), skipped: new Set(), failures: new Map(), fresh: true }
    r.tracks.set(name, track)
    if (track.fresh) {
      // At the live edge: what came before is never fetched.
      for (const s of p.segments.slice(0, -this.#init.edgeSegments))
        if (!track.held.has(s.name) && !track.skipped.has(s.name)) {
          track.skipped.add(s.name)
          r.counts.skipped++
        }
      track.fresh = false
    }
    for (const map of p.maps)
      if (!r.maps.has(map)) {
        await this.#write(dir, map, await askLiveFile(host, hub.addrs, { want: 'segment', live: r.id, name: map }))
        r.maps.add(map)
      }
    await this.#segments(r, track, p, dir, host, hub.addrs)
    const text = writePlaylist(p, (n) => track.held.has(n))
    if (text !== undefined) await this.#write(dir, name, new TextEncoder().encode(text))
    return { target: p.target, ended: p.ended }
  }

  async #segments(r: Relayed, track: Track, p: MediaPlaylist, dir: string, host: Host, addrs: string[]): Promise<void> {
    const { askLiveFile } = await import('@shulin/federation')
    for (const s of p.segments) {
      if (track.held.has(s.name) || track.skipped.has(s.name)) continue
      try {
        await this.#write(dir, s.name, await askLiveFile(host, addrs, { want: 'segment', live: r.id, name: s.name }))
        track.held.add(s.name)
        track.failures.delete(s.name)
        r.counts.segments++
        r.counts.lastSegmentAt = new Date().toISOString()
      } catch (err) {
        // Tried again next round, in order; failed twice, it is skipped: a segment the hub
        // cannot give holds up the next for one round at most.
        this.c.logger?.debug({ err, liveId: r.id, segment: s.name }, 'could not fetch a live segment')
        const n = (track.failures.get(s.name) ?? 0) + 1
        track.failures.set(s.name, n)
        if (n >= 2) {
          track.skipped.add(s.name)
          track.failures.delete(s.name)
          r.counts.skipped++
        }
        break
      }
    }
    // Forget what slid out of the hub's window (the sweep deletes the files).
    const listed = new Set(p.segments.map((s) => s.name))
    for (const set of [track.held, track.skipped]) for (const n of set) if (!listed.has(n)) set.delete(n)
  }

  /** Written whole or not at all: a reader never gets half a segment. */
  async #write(dir: string, name: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(dir, tmpName(name))
    await writeFile(tmp, bytes)
    await rename(tmp, join(dir, name))
  }

  /** Deletes files no playlist names any more (slid out of the window, or left from before a restart). */
  async #sweep(r: Relayed, dir: string): Promise<void> {
    const keep = new Set<string>([...r.maps, ...r.tracks.keys()])
    for (const t of r.tracks.values()) for (const n of t.held) keep.add(n)
    for (const f of await readdir(dir).catch(() => [] as string[]))
      if (!keep.has(f) && !f.endsWith('.m3u8') && !f.endsWith('.tmp'))
        await rm(join(dir, f), { force: true }).catch(() => {})
  }
}
