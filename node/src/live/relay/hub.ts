/**
 * @module live/relay/hub
 * The hub's side of relaying its live lectures: over `/shulin/live/1.0.0` it gives its active
 * members its own lectures and, while one is live, its playlist and segments; over
 * `/shulin/live-room/1.0.0` it takes each member's readers' messages into its room (judged as
 * any reader's: rate limit, mute, filter — never a moderator's rights) and sends every
 * broadcast of the room back. A member speaks only for its own readers: an author id must end
 * with `@<the member's node id>`, which Noise proved; the library shown is the registry's name.
 * A member on `/shulin/live-room/1.1.0` also reports its own viewers' delay (median and count),
 * which the room folds into its moderators' figure.
 *
 * It counts the files it gives each member, so an operator (and `npm run bench:live`) can see
 * that each segment leaves the hub once per member whatever the number of viewers.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { LiveRequest, LiveView, RoomDownlink, RoomSubmit, RoomUplink } from '@shulin/protocol'
import { liveLimits } from '@shulin/protocol'
import type { LiveReply, LiveServer, RoomLinkEnd, RoomLinkHandler } from '@shulin/federation'
import type { Logger } from '../../logger.js'
import type { DistributionNetwork } from '../../distribution/components.js'
import type { LiveRooms } from '../room/index.js'
import type { LiveRecord, LiveService } from '../service.js'

const relayable = (r: LiveRecord) => r.origin === null && (r.access === 'public' || r.access === 'member-readers')

/** Segments per member remembered to tell a repeat from a new one (an hour of 1 s segments and more). */
const recentNames = 4096

/** Ended lectures stay in the list this long (a member that was down learns they ended). */
const endedListedMs = 24 * 3600_000

export interface HubRelayComponents {
  network: Pick<DistributionNetwork, 'whenHost' | 'entry'>
  live: LiveService
  rooms: LiveRooms
  now?: () => number
  logger?: Logger | undefined
}

/** Files given to one member since start. */
export interface MemberCounts {
  playlists: number
  segments: number
  /**
   * Distinct segments among them (a segment given twice counts once here); repeats are looked
   * for among the member's last {@link recentNames} segments, so a day-long lecture costs no more.
   */
  distinct: number
}

export class HubLiveRelay {
  #server: LiveServer | undefined
  #stopRoom: (() => Promise<void>) | undefined
  readonly #counts = new Map<string, { playlists: number; segments: number; distinct: number; recent: Set<string> }>()
  readonly #links = new Set<RoomLinkEnd<RoomDownlink>>()

  constructor(private readonly c: HubRelayComponents) {}

  #active(peer: string): boolean {
    return this.c.network.entry(peer)?.status === 'active'
  }

  async start(): Promise<void> {
    await this.c.network.whenHost(async (host) => {
      const { serveLive, serveLiveRoom } = await import('@shulin/federation')
      const log = (msg: string, err?: unknown) => this.c.logger?.debug({ err }, msg)
      this.#server = await serveLive(host, { answer: (req, from) => this.#answer(req, from) }, { log })
      this.#stopRoom = await serveLiveRoom(host, (hello, from, link) => this.#accept(hello.live, from, link), log)
    })
  }

  async stop(): Promise<void> {
    for (const l of this.#links) l.close()
    await this.#stopRoom?.().catch(() => {})
    await this.#server?.stop().catch(() => {})
  }

  /** Per member, the files given to it since start. */
  counts(): Record<string, MemberCounts> {
    return Object.fromEntries(
      [...this.#counts].map(([m, c]) => [m, { playlists: c.playlists, segments: c.segments, distinct: c.distinct }]),
    )
  }

  /**
   * A lecture of this hub that members may relay: one the readers of other libraries may watch
   * (`public`, `member-readers`), never one for the hub's own readers or staff.
   */
  async #own(id: string): Promise<LiveRecord | undefined> {
    const r = await this.c.live.store.get(id)
    return r && relayable(r) ? r : undefined
  }

  async #answer(req: LiveRequest, from: string): Promise<LiveReply> {
    if (!this.#active(from)) return { ok: false, reason: 'not_member' }
    if (req.want === 'list') return { ok: true, lectures: await this.#list() }
    const r = await this.#own(req.live)
    if (!r) return { ok: false, reason: 'unknown' }
    if (r.status !== 'live' && !(r.status === 'ended' && req.want === 'playlist'))
      return { ok: false, reason: 'not_live' }
    const file = await this.#file(r.id, req.name, req.want)
    if (!file) return { ok: false, reason: 'unknown' }
    const c = this.#counts.get(from) ?? { playlists: 0, segments: 0, distinct: 0, recent: new Set<string>() }
    this.#counts.set(from, c)
    if (req.want === 'playlist') c.playlists++
    else {
      c.segments++
      const key = `${r.id}/${req.name}`
      if (!c.recent.has(key)) {
        c.distinct++
        c.recent.add(key)
        // A Set keeps insertion order: the oldest goes first.
        if (c.recent.size > recentNames) c.recent.delete(c.recent.values().next().value!)
      }
    }
    return { ok: true, file }
  }

  async #file(id: string, name: string, want: 'playlist' | 'segment'): Promise<Uint8Array | undefined> {
    const path = join(this.c.live.hlsDir(id), name)
    try {
      const max = want === 'playlist' ? liveLimits.maxPlaylistBytes : liveLimits.maxSegmentBytes
      if ((await stat(path)).size > max) return undefined
      return new Uint8Array(await readFile(path))
    } catch {
      return undefined
    }
  }

  async #list(): Promise<LiveView[]> {
    const now = (this.c.now ?? Date.now)()
    const listed = (await this.c.live.list()).filter(
      (r) => relayable(r) && (r.status !== 'ended' || now - Date.parse(r.endedAt ?? r.start) < endedListedMs),
    )
    // Relative URLs: a member gives its readers its own.
    return listed.slice(0, liveLimits.maxLectures).map((r) => this.c.live.view(r, ''))
  }

  async #accept(
    liveId: string,
    from: string,
    link: RoomLinkEnd<RoomDownlink>,
  ): Promise<RoomLinkHandler<RoomUplink> | 'not_member' | 'unknown' | 'not_live'> {
    const member = this.c.network.entry(from)
    if (member?.status !== 'active') return 'not_member'
    const r = await this.#own(liveId)
    if (!r) return 'unknown'
    if (r.status === 'ended') return 'not_live'
    const rooms = this.c.rooms
    // The room's recent history first, then every broadcast from now on. What was hidden while
    // the member was away goes as `hidden` (its id only), so it is hidden there too.
    const [snap, all] = await Promise.all([
      rooms.snapshot(liveId, { moderator: false }),
      rooms.snapshot(liveId, { moderator: true }),
    ])
    for (const m of [...snap.questions, ...snap.comments]) link.send({ type: 'broadcast', msg: m })
    const visible = new Set([...snap.questions, ...snap.comments].map((m) => m.id))
    for (const m of [...all.questions, ...all.comments])
      if (!visible.has(m.id)) link.send({ type: 'broadcast', msg: { type: 'hidden', id: m.id } })
    if (snap.slowSeconds) link.send({ type: 'broadcast', msg: { type: 'slow', seconds: snap.slowSeconds } })
    const off = rooms.subscribe(liveId, (msg, audience) => {
      if (audience === 'all') link.send({ type: 'broadcast', msg })
    })
    this.#links.add(link)
    return {
      message: (up) => {
        // The member's viewers' delay: the hub's moderators see it with the hub's own viewers.
        if (up.type === 'delay') this.c.rooms.reportDelay(liveId, from, { ms: up.ms, viewers: up.viewers })
        else void this.#submit(liveId, from, member.name, up, link)
      },
      closed: () => {
        off()
        this.#links.delete(link)
      },
    }
  }

  async #submit(
    liveId: string,
    from: string,
    library: string,
    up: RoomSubmit,
    link: RoomLinkEnd<RoomDownlink>,
  ): Promise<void> {
    if (!up.author.id.endsWith(`@${from}`)) {
      this.c.logger?.warn({ member: from, author: up.author.id }, 'a member spoke for a reader of another library')
      link.send({
        type: 'refused',
        ref: up.ref,
        code: 'forbidden',
        detail: 'A member speaks only for its own readers.',
      })
      return
    }
    try {
      const result = await this.c.rooms.submit(liveId, { id: up.author.id, name: up.author.name, library }, up.msg, {
        moderator: false,
      })
      const answer: RoomDownlink = result.ok
        ? { type: 'accepted', ref: up.ref }
        : { type: 'refused', ref: up.ref, code: result.refused.code, detail: result.refused.detail.slice(0, 500) }
      link.send(answer)
    } catch (err) {
      this.c.logger?.warn({ err, liveId }, 'a relayed room message could not be taken')
      link.send({ type: 'refused', ref: up.ref, code: 'invalid', detail: 'The room could not take the message.' })
    }
  }
}
