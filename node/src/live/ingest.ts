/**
 * @module live/ingest
 * RTMP ingest: the speaker's encoder (OBS, ffmpeg) pushes to `rtmp://host:port/live/<stream
 * key>`; one port takes every lecture, so the server must read the stream key before it takes
 * a stream. ffmpeg as the RTMP listener (`-listen 1`) cannot: it accepts one connection on one
 * URL and takes whatever key is sent. So the RTMP side is node-media-server 4.x — only its
 * protocol parser (handshake, chunks, AMF commands) and its FLV tag writer, not its server,
 * which keeps global state, runs an admin HTTP server and a store of its own and exits the
 * process when its port is taken. Each accepted push is piped, as FLV, into one ffmpeg that
 * writes low-latency HLS (1 s segments with the `-g 25` the speaker's guide gives; `-c copy`
 * when the input is H.264/AAC, else H.264/AAC encoded) with a sliding playlist window, and
 * an MPEG-TS part of the recording; the parts are joined when the lecture ends.
 *
 * Refused: a key no lecture has (or an ended lecture's), a second encoder while one pushes to
 * the lecture, playing over RTMP (readers watch the HLS). An encoder silent for 5 s is no longer
 * pushing: one that reconnects with the key takes its place (a link that died without closing
 * its connection would otherwise keep the speaker out until the connection timed out). An encoder that drops and comes back
 * within the grace period resumes the same lecture: the playlist goes on (a discontinuity
 * marked) and the recording gets another part; the status stays `live` meanwhile. When the
 * grace period passes without the encoder, the lecture ends as if staff had ended it, so the
 * replay is made: a speaker who stops streaming and walks away (the usual way a lecture ends
 * when nobody presses "end") does not leave a lecture "live" with no picture for ever, and
 * the grace is long enough for a link to come back. The grace is kept across a restart: a
 * lecture live when the node stopped gets a full grace period from the start.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import Flv from 'node-media-server/src/protocol/flv.js'
import type { AVPacket } from 'node-media-server/src/core/avpacket.js'
import type { Logger } from '../logger.js'
import { runTool } from '../courses/transcode/tools.js'
import { playlistName, type LiveService } from './service.js'
import { BoundedRtmp, rtmpLimits } from './rtmp-parser.js'

/** The RTMP application encoders push to (`rtmp://host:port/live`). */
export const rtmpApp = 'live'

export interface IngestOptions {
  live: LiveService
  port: number
  host: string
  /** `--ffmpeg`, else ffmpeg on PATH. */
  ffmpeg?: string | undefined
  /** How long a lecture whose encoder dropped stays live waiting for it. */
  graceMs: number
  /** Called when the grace period passes without the encoder: ends the lecture. */
  onGraceOver: (liveId: string) => void
  logger: Logger
  /** Seconds per HLS segment (ffmpeg cuts at the next key frame after it). */
  segmentSeconds?: number
  /** Segments in the playlist. */
  windowSegments?: number
  /** A connection silent this long (handshake or stream) is dropped. */
  idleMs?: number
  /**
   * A lecture's encoder silent this long may be replaced by one that pushes with the key: an
   * encoder whose link died reconnects before the node sees its old connection close.
   */
  staleMs?: number
}

export type IngestState = { ready: true; port: number } | { ready: false; reason: string }

interface Tag {
  type: number
  codec: number
  flv: Buffer
}

/** Bytes held before the key is checked (a few seconds of a lecture's stream; more is refused). */
const maxHeldBytes = 16 * 1024 * 1024
/** Tags after which ffmpeg starts even if the stream has shown only audio or only video. */
const startAfterTags = 50
/** RTMP connections at once (encoders and handshakes): more are closed at once. */
const maxConnections = 64
const codecAvc = 7
const codecAac = 10

/** One encoder's push into one lecture: FLV into ffmpeg's stdin, HLS and a recording part out. */
class Publish {
  #child: ChildProcess | undefined
  #held: Tag[] = []
  #exited: Promise<void> | undefined
  #stderr: string[] = []
  #done = false
  /** Paused for ffmpeg to drain its input. */
  #waiting = false
  /** When the encoder last sent anything (monotonic ms): a silent one can be taken over. */
  lastDataAt = performance.now()

  constructor(
    readonly liveId: string,
    readonly socket: Socket,
    private readonly start: (tags: Tag[]) => ChildProcess,
    private readonly onFailure: (why: string) => void,
  ) {}

  /** Takes a tag; ffmpeg starts once the stream's audio and video (or enough tags) are known. */
  feed(tag: Tag): void {
    if (this.#done) return
    if (this.#child) return this.#write(tag.flv)
    this.#held.push(tag)
    const hasVideo = this.#held.some((t) => t.type === 9)
    const hasAudio = this.#held.some((t) => t.type === 8)
    if ((hasVideo && hasAudio) || this.#held.length >= startAfterTags) this.#spawn()
  }

  #spawn(): void {
    const tags = this.#held
    this.#held = []
    const child = this.start(tags)
    this.#child = child
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = [...this.#stderr, ...chunk.split('\n').filter((l) => l.trim())].slice(-8)
    })
    // A closed stdin (ffmpeg gone) must not throw out of a socket handler.
    child.stdin?.on('error', () => {})
    this.#exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.onFailure(`ffmpeg could not be started: ${err.message}`)
        resolve()
      })
      child.on('close', (code, signal) => {
        if (!this.#done) this.onFailure(`ffmpeg stopped (${signal ?? code}): ${this.#stderr.join(' | ').slice(-800)}`)
        resolve()
      })
    })
    this.#write(
      Flv.createHeader(
        tags.some((t) => t.type === 8),
        tags.some((t) => t.type === 9),
      ),
    )
    for (const t of tags) this.#write(t.flv)
  }

  #write(buf: Buffer): void {
    const stdin = this.#child?.stdin
    if (!stdin || stdin.destroyed) return
    // ffmpeg behind: the encoder waits (TCP back-pressure) rather than the node buffering.
    if (!stdin.write(buf) && !this.#waiting) {
      this.#waiting = true
      this.socket.pause()
      stdin.once('drain', () => {
        this.#waiting = false
        this.socket.resume()
      })
    }
  }

  /** Ends the push: ffmpeg finishes its last segment and the recording part (killed if it hangs). */
  async finish(timeoutMs = 10_000): Promise<void> {
    if (this.#done) return this.#exited
    this.#done = true
    this.#held = []
    const child = this.#child
    if (!child || !this.#exited) return
    child.stdin?.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    await this.#exited
    clearTimeout(timer)
  }
}

export class RtmpIngest {
  #server: Server | undefined
  #state: IngestState = { ready: false, reason: 'not started' }
  readonly #sockets = new Set<Socket>()
  /** The push of each lecture an encoder is pushing to now. */
  readonly #pushing = new Map<string, Publish>()
  readonly #grace = new Map<string, NodeJS.Timeout>()
  #stopping = false

  constructor(private readonly opts: IngestOptions) {}

  get state(): IngestState {
    return this.#state
  }

  /** The port encoders push to, once listening. */
  port(): number | undefined {
    return this.#state.ready ? this.#state.port : undefined
  }

  isPushing(liveId: string): boolean {
    return this.#pushing.has(liveId)
  }

  /** Finds ffmpeg and listens; without ffmpeg it does not listen and says why (in the log and `state`). */
  async start(): Promise<void> {
    const ffmpeg = this.opts.ffmpeg || 'ffmpeg'
    try {
      await runTool(ffmpeg, ['-hide_banner', '-version'], { timeoutMs: 15_000 })
    } catch (err) {
      this.#state = {
        ready: false,
        reason: `live ingest cannot start: ffmpeg (${ffmpeg}) does not run (${(err as Error).message}); install ffmpeg or set --ffmpeg / SHULIN_FFMPEG. Lectures can be scheduled, but no encoder can push until then.`,
      }
      this.opts.logger.warn(this.#state.reason)
      return
    }
    const server = createServer((socket) => this.#accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((err: NodeJS.ErrnoException) => {
      this.#state = {
        ready: false,
        reason: `live ingest cannot start: RTMP port ${this.opts.host}:${this.opts.port}: ${err.code ?? err.message} (choose another with --rtmp-port / SHULIN_RTMP_PORT)`,
      }
      this.opts.logger.warn(this.#state.reason)
    })
    if (!server.listening) return
    server.on('error', (err) => this.opts.logger.error({ err }, 'RTMP server error'))
    this.#server = server
    const address = server.address()
    this.#state = { ready: true, port: typeof address === 'object' && address ? address.port : this.opts.port }
    this.opts.logger.info({ port: this.#state.port }, 'live ingest listening (RTMP)')
    // Lectures that were live when the node stopped wait a full grace period for their encoder.
    for (const r of await this.opts.live.store.all())
      if (r.status === 'live' && r.origin === null && !this.#pushing.has(r.id)) this.#startGrace(r.id)
  }

  async stop(): Promise<void> {
    this.#stopping = true
    for (const t of this.#grace.values()) clearTimeout(t)
    this.#grace.clear()
    const server = this.#server
    this.#server = undefined
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve()
    await Promise.all([...this.#pushing.values()].map((p) => p.finish()))
    for (const s of this.#sockets) s.destroy()
    await closed
  }

  /** Lets a lecture's encoder go (the lecture ends): its push finishes, no grace is waited. */
  async release(liveId: string): Promise<void> {
    const t = this.#grace.get(liveId)
    if (t) clearTimeout(t)
    this.#grace.delete(liveId)
    const p = this.#pushing.get(liveId)
    if (!p) return
    this.#pushing.delete(liveId)
    await p.finish()
    p.socket.destroy()
  }

  #startGrace(liveId: string): void {
    if (this.#stopping) return
    const old = this.#grace.get(liveId)
    if (old) clearTimeout(old)
    const timer = setTimeout(() => {
      this.#grace.delete(liveId)
      if (this.#pushing.has(liveId)) return
      this.opts.logger.info({ liveId }, 'encoder did not come back within the grace period: the lecture ends')
      this.opts.onGraceOver(liveId)
    }, this.opts.graceMs)
    timer.unref()
    this.#grace.set(liveId, timer)
  }

  #accept(socket: Socket): void {
    if (this.#stopping || this.#sockets.size >= maxConnections) return void socket.destroy()
    this.#sockets.add(socket)
    const log = this.opts.logger
    const peer = `${socket.remoteAddress}:${socket.remotePort}`
    const rtmp = new BoundedRtmp()
    let app = ''
    let name = ''
    let publish: Publish | undefined
    let held: Tag[] | undefined
    let heldBytes = 0
    const refuse = (why: string) => {
      log.warn({ peer }, `RTMP push refused: ${why}`)
      held = undefined
      socket.destroy()
    }
    socket.setTimeout(this.opts.idleMs ?? 30_000, () => socket.destroy())
    socket.on('error', () => {})
    rtmp.onOutputCallback = (buf) => {
      if (!socket.destroyed) socket.write(buf)
    }
    rtmp.onConnectCallback = (req) => {
      app = req.app
      name = req.name
    }
    rtmp.onPlayCallback = () => refuse('playing over RTMP is not offered (readers watch the HLS stream)')
    rtmp.onPushCallback = () => {
      held = []
      void this.#claim(app, name, socket).then(
        (claimed) => {
          if ('refused' in claimed) return refuse(claimed.refused)
          publish = claimed.publish
          rtmp.limits = rtmpLimits.verified
          // Closed while its key was checked: the lecture is let go again at once.
          if (socket.destroyed) return gone()
          for (const t of held ?? []) publish.feed(t)
          held = undefined
        },
        (err: unknown) => {
          log.error({ err }, 'RTMP push could not start')
          refuse('the node could not start the stream')
        },
      )
    }
    rtmp.onPacketCallback = (p: AVPacket) => {
      if (p.codec_type !== 8 && p.codec_type !== 9 && p.codec_type !== 18) return
      // Flv.createMessage copies the packet's bytes: the parser reuses its buffers.
      const tag: Tag = { type: p.codec_type, codec: p.codec_id, flv: Flv.createMessage(p) }
      if (publish) publish.feed(tag)
      else if (held) {
        held.push(tag)
        heldBytes += tag.flv.length
        if (heldBytes > maxHeldBytes) refuse('too much data before the stream key was checked')
      }
    }
    socket.on('data', (data: Buffer) => {
      if (publish) publish.lastDataAt = performance.now()
      // Malformed input can make the parser (or its AMF decoder) throw: that peer is cut, the
      // node goes on. An exception out of this handler would stop the process.
      let err: string | null
      try {
        err = rtmp.parserData(data)
      } catch (e) {
        err = e instanceof Error ? e.message : String(e)
      }
      if (err) refuse(`not RTMP: ${err}`)
    })
    /** The encoder is gone: its push finishes and the lecture waits for it (unless replaced). */
    const gone = () => {
      const p = publish
      if (!p || this.#pushing.get(p.liveId) !== p) return
      this.#pushing.delete(p.liveId)
      log.info({ liveId: p.liveId, peer }, 'encoder disconnected; the lecture waits for it')
      void p.finish().then(() => this.#startGrace(p.liveId))
    }
    socket.on('close', () => {
      this.#sockets.delete(socket)
      gone()
    })
  }

  /** Checks the stream key and takes the lecture for this encoder, or says why not. */
  async #claim(app: string, key: string, socket: Socket): Promise<{ publish: Publish } | { refused: string }> {
    if (app !== rtmpApp) return { refused: `unknown RTMP application "${app.slice(0, 40)}" (push to /${rtmpApp}/KEY)` }
    const record = key ? await this.opts.live.byKey(key) : undefined
    if (!record) return { refused: 'wrong stream key' }
    if (record.status === 'ended') return { refused: `lecture ${record.id} has ended` }
    if (socket.destroyed || this.#stopping) return { refused: 'the encoder went away' }
    // Checked and taken in one turn of the event loop: two encoders cannot both pass.
    const current = this.#pushing.get(record.id)
    const silentMs = current ? performance.now() - current.lastDataAt : 0
    if (current && silentMs < (this.opts.staleMs ?? 5000))
      return { refused: `another encoder is pushing to lecture ${record.id}` }
    const id = record.id
    const hls = this.opts.live.hlsDir(id)
    const rec = this.opts.live.recordingDir(id)
    const publish: Publish = new Publish(
      id,
      socket,
      (tags) => this.#ffmpeg(id, tags, hls, rec),
      (why) => {
        this.opts.logger.error({ liveId: id }, `live stream failed: ${why}`)
        socket.destroy()
      },
    )
    this.#pushing.set(id, publish)
    if (current) {
      // The old connection has gone silent (its link died, the encoder reconnected): it is
      // closed and its last segment written before this one's ffmpeg starts (fed after this).
      this.opts.logger.info({ liveId: id, silentMs: Math.round(silentMs) }, 'a silent encoder is replaced')
      await current.finish()
      current.socket.destroy()
    }
    const grace = this.#grace.get(id)
    if (grace) clearTimeout(grace)
    this.#grace.delete(id)
    try {
      await mkdir(hls, { recursive: true })
      await mkdir(rec, { recursive: true })
      this.#parts.set(id, await nextPart(rec))
      // Ended while the key was checked: the status does not go back, and the encoder is refused.
      if ((await this.opts.live.setStatus(id, 'live')).status !== 'live') {
        this.#pushing.delete(id)
        return { refused: `lecture ${id} has ended` }
      }
    } catch (err) {
      this.#pushing.delete(id)
      throw err
    }
    this.opts.logger.info({ liveId: id }, 'encoder pushing')
    return { publish }
  }

  readonly #parts = new Map<string, number>()

  #ffmpeg(id: string, tags: Tag[], hls: string, rec: string): ChildProcess {
    const part = this.#parts.get(id) ?? 1
    const p = String(part).padStart(5, '0')
    const video = tags.find((t) => t.type === 9)
    const audio = tags.find((t) => t.type === 8)
    const seg = this.opts.segmentSeconds ?? 1
    const resumed = existsSync(join(hls, playlistName))
    const copyVideo = !video || video.codec === codecAvc
    const copyAudio = !audio || audio.codec === codecAac
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-analyzeduration',
      '2000000',
      '-f',
      'flv',
      '-i',
      'pipe:0',
      // HLS for players: H.264 + AAC, 1 s segments, a window of the last few.
      '-map',
      '0:v:0?',
      '-map',
      '0:a:0?',
      ...(copyVideo
        ? ['-c:v', 'copy']
        : [
            '-c:v',
            'libx264',
            '-preset',
            'veryfast',
            '-tune',
            'zerolatency',
            '-force_key_frames',
            `expr:gte(t,n_forced*${seg})`,
          ]),
      ...(copyAudio ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '128k']),
      '-f',
      'hls',
      '-hls_time',
      String(seg),
      '-hls_list_size',
      String(this.opts.windowSegments ?? 6),
      '-hls_delete_threshold',
      '6',
      '-hls_flags',
      // append_list (+ discont_start): an encoder that comes back continues the same playlist,
      // its first segment marked as a discontinuity (new timestamps, maybe new settings).
      `delete_segments+append_list+omit_endlist+program_date_time+independent_segments${resumed ? '+discont_start' : ''}`,
      '-hls_segment_filename',
      join(hls, `p${p}-%05d.ts`),
      join(hls, playlistName),
      // The recording: the stream as it came, one part per push, joined at the end.
      '-map',
      '0:v:0?',
      '-map',
      '0:a:0?',
      '-c',
      'copy',
      '-f',
      'mpegts',
      join(rec, `part-${p}.ts`),
    ]
    this.#parts.set(id, part + 1)
    return spawn(this.opts.ffmpeg || 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true })
  }
}

/** The number of the next recording part (one per push; a restart keeps counting). */
async function nextPart(rec: string): Promise<number> {
  const names = await readdir(rec).catch(() => [] as string[])
  const nums = names.map((n) => /^part-(\d+)\.ts$/.exec(n)?.[1]).filter((n): n is string => !!n)
  return nums.reduce((max, n) => Math.max(max, Number(n)), 0) + 1
}
