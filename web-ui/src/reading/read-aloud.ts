/**
 * @module reading/read-aloud
 * Reading an EPUB aloud with the device's own speech synthesis (Web Speech API), sentence by
 * sentence: foliate-js cuts each block of the book into sentences and marks them in SSML; we
 * speak one sentence per utterance (Chromium and Safari ignore SSML, and short utterances also
 * dodge Chromium's habit of stopping long ones after ~15 s), highlight the sentence in the
 * book, follow it across pages and chapters, and report each sentence's place so the reader's
 * position is kept like reading progress. A zh-CN voice is chosen where the device has one.
 */

/** One sentence to speak: foliate's mark name (to highlight it) and its text. */
export interface Sentence {
  mark: string
  text: string
}

/** The part of foliate-js's TTS object that read-aloud drives. */
interface FoliateTTS {
  doc: Document
  start(): string | undefined
  resume(): string | undefined
  next(paused?: boolean): string | undefined
  prev(paused?: boolean): string | undefined
  from(range: Range): string | undefined
  setMark(mark: string): void
  highlight: (range: Range) => void
}

/** The part of `<foliate-view>` read-aloud needs (beyond foliate.d.ts's FoliateView). */
export interface SpeakingView {
  initTTS(granularity?: 'word' | 'sentence'): Promise<void>
  tts: FoliateTTS | null
  renderer: HTMLElement & {
    scrollToAnchor(anchor: Range, select?: boolean): Promise<void>
    nextSection(): Promise<void>
    getContents(): Array<{ doc: Document; index: number }>
  }
  getCFI(index: number, range: Range): string
  resolveNavigation(target: string): { index: number; anchor: (doc: Document) => Range | Element } | undefined
  lastLocation?: { range?: Range } | null
}

export type ReadAloudState = 'stopped' | 'speaking' | 'paused'

/** The name of the CSS custom highlight that marks the sentence being spoken. */
export const highlightName = 'shulin-read-aloud'
/** Style for the highlighted sentence, for the book's own styles (foliate's setStyles). */
export const highlightCss = `::highlight(${highlightName}) { background-color: #ffe58a; color: #1c1c1c; }`
export const rates = [0.75, 1, 1.25, 1.5, 2] as const
/** The reader's speed, kept on this device like the text size. */
const rateKey = 'shulin.read-aloud-rate'
function savedRate(): number {
  const r = Number(localStorage.getItem(rateKey))
  return (rates as readonly number[]).includes(r) ? r : 1
}

/** Splits foliate's SSML (`<speak>` with `<mark name>` before each sentence) into sentences. */
export function sentencesOf(ssml: string): { lang: string | undefined; sentences: Sentence[] } {
  const doc = new DOMParser().parseFromString(ssml, 'application/xml')
  const lang = doc.documentElement.getAttribute('xml:lang') ?? undefined
  const sentences: Sentence[] = []
  const walker = doc.createTreeWalker(doc.documentElement, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.ELEMENT_NODE && (node as Element).localName === 'mark')
      sentences.push({ mark: (node as Element).getAttribute('name') ?? '', text: '' })
    else if (node.nodeType === Node.TEXT_NODE && sentences.length)
      sentences[sentences.length - 1]!.text += node.nodeValue
  }
  return {
    lang: lang || undefined,
    sentences: sentences.map((s) => ({ ...s, text: s.text.replace(/\s+/g, ' ').trim() })).filter((s) => s.text),
  }
}

/** The best voice for `lang` on this device: an exact match (zh-CN), else the same language (zh-TW, zh). */
export function voiceFor(voices: readonly SpeechSynthesisVoice[], lang: string): SpeechSynthesisVoice | undefined {
  const want = lang.toLowerCase().replace('_', '-')
  const primary = want.split('-')[0]
  const norm = (v: SpeechSynthesisVoice) => v.lang.toLowerCase().replace('_', '-')
  return (
    voices.find((v) => norm(v) === want && v.localService) ??
    voices.find((v) => norm(v) === want) ??
    voices.find((v) => norm(v).split('-')[0] === primary)
  )
}

export interface ReadAloudOptions {
  /** Called whenever the state, the sentence or the voice changes (the page re-renders). */
  onChange: () => void
  /** Called with the CFI of each sentence as it starts, to keep the reader's position. */
  onSentence: (cfi: string) => void
  /** The book's language when its text does not say (zh-CN for Shulin's catalogue). */
  fallbackLang?: string
}

/** Drives `speechSynthesis` over a foliate view, one sentence at a time. */
export class ReadAloud {
  state: ReadAloudState = 'stopped'
  rate = savedRate()
  /** The text being spoken (shown on screen, not announced: the synthesiser already says it). */
  sentence = ''
  voice: SpeechSynthesisVoice | undefined
  #sentences: Sentence[] = []
  #lang = 'zh-CN'
  #at = 0
  /** Bumped on every stop or jump so the end of a cancelled utterance is ignored. */
  #turn = 0
  #synth: SpeechSynthesis | undefined = window.speechSynthesis

  constructor(
    private readonly view: SpeakingView,
    private readonly options: ReadAloudOptions,
  ) {
    this.#lang = options.fallbackLang ?? 'zh-CN'
    this.#synth?.addEventListener?.('voiceschanged', this.#pickVoice)
  }

  /** False where the browser has no speech synthesis at all. */
  get supported(): boolean {
    return !!this.#synth && typeof SpeechSynthesisUtterance === 'function'
  }

  /**
   * Starts reading from `from` (a sentence's CFI, e.g. the saved position) when it is on the
   * page shown, else from the top of the page shown.
   */
  async start(from?: string): Promise<void> {
    if (!this.supported) return
    this.#stopSpeaking()
    await this.#prepare()
    const tts = this.view.tts!
    const anchor = this.#anchorOnPage(from) ?? this.view.lastLocation?.range
    let ssml: string | undefined
    try {
      ssml = anchor ? tts.from(anchor) : tts.start()
    } catch {
      ssml = tts.start() // foliate finds no block at or after the anchor: read the chapter
    }
    this.#load(ssml)
    this.#speak()
  }

  pause(): void {
    if (this.state !== 'speaking') return
    this.#stopSpeaking()
    this.state = 'paused'
    this.options.onChange()
  }

  /** Goes on from the sentence that was paused. */
  resume(): void {
    if (this.state !== 'paused') return
    this.#speak()
  }

  stop(): void {
    this.#stopSpeaking()
    this.state = 'stopped'
    this.sentence = ''
    this.#clearHighlight()
    this.options.onChange()
  }

  /** The next (+1) or previous (-1) sentence, across blocks; keeps playing or paused as it was. */
  async skip(step: 1 | -1): Promise<void> {
    if (this.state === 'stopped') return
    const playing = this.state === 'speaking'
    this.#stopSpeaking()
    const to = this.#at + step
    if (to >= 0 && to < this.#sentences.length) this.#at = to
    else if (step > 0) {
      if (!(await this.#nextBlock())) return this.stop()
    } else {
      const ssml = this.view.tts?.prev()
      if (ssml) this.#load(ssml, 'last')
    }
    if (playing) this.#speak()
    else this.#show()
  }

  setRate(rate: number): void {
    this.rate = rate
    localStorage.setItem(rateKey, String(rate))
    if (this.state === 'speaking') {
      this.#stopSpeaking()
      this.#speak()
    }
    this.options.onChange()
  }

  /** Ends speech when the reader leaves the page. */
  dispose(): void {
    this.#stopSpeaking()
    this.#synth?.removeEventListener?.('voiceschanged', this.#pickVoice)
  }

  async #prepare(): Promise<void> {
    await this.view.initTTS('sentence')
    const tts = this.view.tts!
    // Foliate's own highlight only selects; ours paints the sentence and turns the page to it.
    tts.highlight = (range) => this.#highlight(range)
  }

  #anchorOnPage(cfi: string | undefined): Range | undefined {
    const shown = this.view.lastLocation?.range
    if (!cfi || !shown) return undefined
    try {
      const shownDoc = this.view.renderer.getContents()[0]
      const target = this.view.resolveNavigation(cfi)
      if (!shownDoc || !target || target.index !== shownDoc.index) return undefined
      const { doc } = shownDoc
      const found = target.anchor(doc)
      // The book lives in an iframe, whose Range is another realm's: `instanceof` would fail.
      let range: Range
      if ('compareBoundaryPoints' in found) range = found
      else {
        range = doc.createRange()
        range.selectNode(found)
      }
      const after = range.compareBoundaryPoints(Range.START_TO_START, shown) >= 0
      const before = range.compareBoundaryPoints(Range.END_TO_START, shown) <= 0 // its start vs the page's end
      return after && before ? range : undefined
    } catch {
      return undefined // a CFI from another edition of the file: start from the page instead
    }
  }

  #load(ssml: string | undefined, at: 'first' | 'last' = 'first'): boolean {
    if (!ssml) return false
    const { lang, sentences } = sentencesOf(ssml)
    if (lang) this.#lang = lang
    this.#pickVoice()
    this.#sentences = sentences
    this.#at = at === 'first' ? 0 : Math.max(0, sentences.length - 1)
    return true
  }

  /** The next block with something to say, moving on to the next chapter at a chapter's end. */
  async #nextBlock(): Promise<boolean> {
    for (let guard = 0; guard < 10_000; guard++) {
      const tts = this.view.tts
      const ssml = tts?.next()
      if (ssml) {
        this.#load(ssml)
        if (this.#sentences.length) return true
        continue
      }
      const before = this.view.renderer.getContents()[0]?.index
      await this.view.renderer.nextSection()
      if (this.view.renderer.getContents()[0]?.index === before) return false // the end of the book
      await this.#prepare()
      if (this.#load(this.view.tts!.start()) && this.#sentences.length) return true
    }
    return false
  }

  #speak(): void {
    const s = this.#sentences[this.#at]
    if (!s) {
      void this.#nextBlock().then((more) => (more ? this.#speak() : this.stop()))
      return
    }
    const turn = ++this.#turn
    this.state = 'speaking'
    this.#show()
    const u = new SpeechSynthesisUtterance(s.text)
    u.lang = this.#lang
    if (this.voice) u.voice = this.voice
    u.rate = this.rate
    const next = () => {
      if (turn !== this.#turn) return
      this.#at++
      this.#speak()
    }
    u.addEventListener('end', next)
    // "interrupted"/"canceled" come from our own cancel(); anything else skips the sentence.
    u.addEventListener('error', (e) => {
      if (e.error !== 'interrupted' && e.error !== 'canceled') next()
    })
    this.#synth!.speak(u)
  }

  /** Highlights the current sentence and tells the page where it is. */
  #show(): void {
    const s = this.#sentences[this.#at]
    if (!s) return
    this.sentence = s.text
    this.view.tts?.setMark(s.mark)
    this.options.onChange()
  }

  #highlight(range: Range): void {
    const contents = this.view.renderer.getContents()[0]
    if (!contents) return
    const win = contents.doc.defaultView as (Window & typeof globalThis) | null
    if (win?.CSS && 'highlights' in win.CSS) win.CSS.highlights.set(highlightName, new win.Highlight(range))
    else {
      const sel = contents.doc.getSelection()
      sel?.removeAllRanges()
      sel?.addRange(range)
    }
    void this.view.renderer.scrollToAnchor(range, true)
    this.options.onSentence(this.view.getCFI(contents.index, range))
  }

  #clearHighlight(): void {
    const win = this.view.tts?.doc.defaultView as (Window & typeof globalThis) | null | undefined
    if (win?.CSS && 'highlights' in win.CSS) win.CSS.highlights.delete(highlightName)
  }

  #stopSpeaking(): void {
    this.#turn++
    this.#synth?.cancel()
  }

  #pickVoice = (): void => {
    const voices = this.#synth?.getVoices?.() ?? []
    const voice = voiceFor(voices, this.#lang)
    if (voice !== this.voice) {
      this.voice = voice
      this.options.onChange()
    }
  }
}
