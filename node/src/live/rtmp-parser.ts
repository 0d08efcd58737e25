/**
 * @module live/rtmp-parser
 * node-media-server's RTMP parser with a memory budget. The parser gives each message a
 * buffer of the length its chunk header declares (up to 16 MiB), on as many chunk streams as
 * the peer names, before anyone has shown a stream key: a few hundred bytes could make the node
 * allocate gigabytes (random bytes sent to the port made it grow by 600 MB). Here a message
 * over the limit, too many chunk streams, or too much held at once throws {@link RtmpLimit},
 * and the connection is closed. The limits are low until the key is accepted (commands are
 * small; a key frame or two may come before the answer), then those of a real encoder.
 */
import Rtmp from 'node-media-server/src/protocol/rtmp.js'

export class RtmpLimit extends Error {
  override readonly name = 'RtmpLimit'
}

/** Chunk streams a connection may use (encoders use a handful: control, commands, audio, video). */
const maxChunkStreams = 16

export const rtmpLimits = {
  /** Before the key is accepted: the largest message, and all messages' buffers together. */
  unverified: { message: 2 * 1024 * 1024, total: 8 * 1024 * 1024 },
  /** An accepted encoder (the protocol's own ceiling is 16 MiB a message). */
  verified: { message: 16 * 1024 * 1024, total: 64 * 1024 * 1024 },
}

export class BoundedRtmp extends Rtmp {
  limits = rtmpLimits.unverified

  override packetAlloc(): void {
    if (this.inPackets.size > maxChunkStreams) throw new RtmpLimit(`more than ${maxChunkStreams} chunk streams`)
    const p = this.parserPacket
    if (p.capacity < p.header.length) {
      if (p.header.length > this.limits.message)
        throw new RtmpLimit(`a message of ${p.header.length} bytes (at most ${this.limits.message})`)
      let held = p.header.length
      for (const q of this.inPackets.values()) if (q !== p) held += q.capacity
      if (held > this.limits.total) throw new RtmpLimit(`${held} bytes of messages held (at most ${this.limits.total})`)
    }
    super.packetAlloc()
  }
}
