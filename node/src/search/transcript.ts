/**
 * @module search/transcript
 * A lecture's transcript for search: the cues of its first subtitle track (WebVTT), read from
 * the blob store. The engines index the cues' text as one low-weight field; a hit's second
 * (`t`) is found afterwards, here, by looking for the matched query parts in the folded cues —
 * so both engines give the same second, and neither has to store a position per cue.
 *
 * Only what search needs is read of WebVTT: cue start times and text, tags and entities
 * dropped. Validation of uploaded files is the courses module's work; a track that does not
 * parse gives no cues rather than an error (search must never fail a lecture's indexing).
 */
import type { Resource } from '@shulin/protocol'
import type { BlobStore } from '../blobs/store.js'
import { fold } from './text/fold.js'

export interface Cue {
  /** Seconds from the start of the video. */
  start: number
  text: string
}

/** Characters of transcript indexed per lecture (about two hours of speech). */
export const maxTranscriptChars = 40_000
/** Bytes of a subtitle file read for search: larger files are cut here. */
const maxTrackBytes = 2 * 1024 * 1024
/** Parsed tracks kept, by blob (a search's lecture hits re-read their cues). */
const cacheSize = 64

const timing = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})/

function seconds(stamp: string): number {
  const parts = stamp.replace(',', '.').split(':').map(Number)
  return parts.reduce((acc, p) => acc * 60 + p, 0)
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', quot: '"', apos: "'" }

/** Cue text as a reader sees it: voice and style tags and timestamps removed, entities decoded. */
function plain(text: string): string {
  return text.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|nbsp|quot|apos);/g, (_, e: string) => entities[e]!)
}

/** The cues of a WebVTT (or SRT-shaped) text, in file order; blocks without a timing line are skipped. */
export function parseCues(vtt: string): Cue[] {
  const cues: Cue[] = []
  for (const block of vtt.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n')
    const at = lines.findIndex((l) => timing.test(l))
    if (at < 0) continue
    const start = seconds(timing.exec(lines[at]!)![1]!)
    const text = plain(lines.slice(at + 1).join('\n')).trim()
    if (text && Number.isFinite(start)) cues.push({ start, text })
  }
  return cues
}

/** The cues' text as one string for the engines (cut at {@link maxTranscriptChars}). */
export function transcriptText(cues: Cue[]): string {
  let out = ''
  for (const c of cues) {
    if (out.length >= maxTranscriptChars) break
    out += (out ? '\n' : '') + c.text
  }
  return out.slice(0, maxTranscriptChars)
}

/** Cues with their folded text joined, and where each cue starts in it: what finding a second reads. */
export interface FoldedCues {
  cues: Cue[]
  folded: string
  offsets: number[]
}

/** Folds a transcript once (a search's lecture hits reuse it from the cache). */
export function foldCues(cues: Cue[]): FoldedCues {
  let folded = ''
  const offsets: number[] = []
  for (const c of cues) {
    if (folded.length >= maxTranscriptChars) break
    offsets.push(folded.length)
    folded += fold(c.text)
  }
  return { cues: cues.slice(0, offsets.length), folded, offsets }
}

/**
 * The best-matching cue: the one where the longest of `terms` (folded query parts) first occurs
 * in the folded transcript — across cue boundaries too (then the cue the match begins in), since
 * folding drops the spaces and line breaks between them. Undefined when no term is in the transcript.
 */
export function bestCue({ cues, folded, offsets }: FoldedCues, terms: string[]): Cue | undefined {
  if (!cues.length || !terms.length) return undefined
  for (const term of [...terms].sort((a, b) => b.length - a.length)) {
    const at = folded.indexOf(term)
    if (at < 0) continue
    // The last cue starting at or before the match.
    let lo = 0
    let hi = offsets.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (offsets[mid]! <= at) lo = mid
      else hi = mid - 1
    }
    return cues[lo]!
  }
  return undefined
}

/** The second the best-matching cue starts (see {@link bestCue}). */
export function bestCueStart(cues: FoldedCues, terms: string[]): number | undefined {
  return bestCue(cues, terms)?.start
}

const none: FoldedCues = { cues: [], folded: '', offsets: [] }

/** Reads lectures' transcripts from the blob store, keeping the last few parsed and folded. */
export class Transcripts {
  readonly #cache = new Map<string, FoldedCues>()

  constructor(private readonly blobs: BlobStore) {}

  /** The blob of a lecture's transcript track (its first subtitle track), if it has one. */
  static trackOf(r: Resource): string | undefined {
    return r.type === 'lecture' ? r.lecture?.subtitles[0]?.blob : undefined
  }

  /** The cues of a lecture's transcript; none when it has no track or the file is not here (yet). */
  async cues(r: Resource): Promise<Cue[]> {
    return (await this.folded(r)).cues
  }

  /** The cues, folded for finding a hit's second. */
  async folded(r: Resource): Promise<FoldedCues> {
    const blob = Transcripts.trackOf(r)
    if (!blob) return none
    const hit = this.#cache.get(blob)
    if (hit) {
      this.#cache.delete(blob)
      this.#cache.set(blob, hit)
      return hit
    }
    const text = await this.#read(blob)
    if (text === undefined) return none
    const prepared = foldCues(parseCues(text))
    this.#cache.set(blob, prepared)
    if (this.#cache.size > cacheSize) this.#cache.delete(this.#cache.keys().next().value!)
    return prepared
  }

  async #read(blob: string): Promise<string | undefined> {
    if (!(await this.blobs.info(blob))) return undefined
    const chunks: Buffer[] = []
    try {
      for await (const chunk of this.blobs.read(blob, { start: 0, end: maxTrackBytes - 1 }))
        chunks.push(chunk as Buffer)
    } catch {
      return undefined
    }
    return Buffer.concat(chunks).toString('utf8')
  }
}
