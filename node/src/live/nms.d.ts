/**
 * The parts of node-media-server 4.x the ingest uses (the package ships JavaScript only): its
 * RTMP protocol parser (handshake, chunks, AMF commands) and its FLV tag writer.
 */
declare module 'node-media-server/src/protocol/rtmp.js' {
  import type { AVPacket } from 'node-media-server/src/core/avpacket.js'
  export default class Rtmp {
    onConnectCallback: (req: { app: string; name: string; host: string; query: Record<string, unknown> }) => void
    onPlayCallback: () => void
    onPushCallback: () => void
    onOutputCallback: (buffer: Buffer) => void
    onPacketCallback: (packet: AVPacket) => void
    /** An error message when the bytes are not RTMP; null when they were taken. */
    parserData(buffer: Buffer): string | null
    /** The message being read, on its chunk stream; `capacity` is its buffer's size. */
    parserPacket: RtmpPacket
    /** The messages being read, by chunk stream id. */
    inPackets: Map<number, RtmpPacket>
    /** Gives the message being read a buffer of its declared length (called once per message). */
    packetAlloc(): void
  }
  interface RtmpPacket {
    header: { length: number; cid: number; type: number }
    capacity: number
  }
}
declare module 'node-media-server/src/protocol/flv.js' {
  import type { AVPacket } from 'node-media-server/src/core/avpacket.js'
  export default class Flv {
    static createHeader(hasAudio: boolean, hasVideo: boolean): Buffer
    static createMessage(packet: AVPacket): Buffer
  }
}
declare module 'node-media-server/src/core/avpacket.js' {
  /** One FLV tag's worth: codec_type 8 audio, 9 video, 18 script data. */
  export interface AVPacket {
    codec_id: number
    codec_type: number
    flags: number
    pts: number
    dts: number
    size: number
    data: Buffer
  }
}
