/**
 * @module components/recitation-recorder
 * The recitation recorder (诵读): record in the browser (MediaRecorder) with a level meter read
 * from an AnalyserNode — so a reader sees the microphone hears them before reading a whole poem
 * into silence — listen back, record again, stop by itself at the activity's time limit; or
 * upload a file recorded elsewhere. The entry goes up as multipart field `audio` with its title
 * and text. Loaded only when a reader opens it (dynamic import), like the course player's hls.js.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { ActivityView } from '@shulin/protocol'
import { base } from '../styles.js'
import { at } from '../i18n/activities.js'
import { postForm } from '../api.js'
import { activityPaths, seconds } from '../activities.js'
import { formError } from './form.js'

type Mode = 'idle' | 'recording' | 'recorded'

/** The first container this browser records in (Safari: MP4; the rest: WebM/Opus). */
function recordingType(): string {
  for (const type of ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'])
    if (MediaRecorder.isTypeSupported(type)) return type
  return ''
}

const extension = (type: string) => (type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm')

export class RecitationRecorder extends LitElement {
  static override properties = {
    activity: { attribute: false },
    mode: { state: true },
    level: { state: true },
    elapsed: { state: true },
    audioUrl: { state: true },
    file: { state: true },
    error: { state: true },
    note: { state: true },
    progress: { state: true },
    text: { state: true },
    entryTitle: { state: true },
  }
  activity: ActivityView | undefined
  mode: Mode = 'idle'
  /** 0…1, the microphone's loudness now. */
  level = 0
  elapsed = 0
  audioUrl = ''
  file: File | undefined
  error: unknown
  note = ''
  /** Upload progress 0…1 while submitting, else undefined. */
  progress: number | undefined
  text = ''
  entryTitle = ''
  #recording: Blob | undefined
  #stream: MediaStream | undefined
  #context: AudioContext | undefined
  #recorder: MediaRecorder | undefined
  #frame = 0
  #limit: number | undefined
  #started = 0

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#release()
    if (this.audioUrl) URL.revokeObjectURL(this.audioUrl)
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('activity') && this.activity && !this.text) {
      const first = this.activity.texts[0]
      if (first) {
        this.text = first.resource
        this.entryTitle ||= first.title
      }
    }
  }

  get #maxSeconds(): number {
    return this.activity?.maxSeconds ?? 300
  }

  async #start(): Promise<void> {
    this.error = undefined
    this.note = ''
    if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      this.note = at('recorderUnsupported')
      return
    }
    let stream: MediaStream
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: true } })
    } catch (err) {
      this.note = at('recorderNoMic', { message: (err as Error).message || (err as Error).name })
      return
    }
    this.#clearRecording()
    this.#stream = stream
    const context = new AudioContext()
    this.#context = context
    const analyser = context.createAnalyser()
    analyser.fftSize = 1024
    context.createMediaStreamSource(stream).connect(analyser)
    const samples = new Float32Array(analyser.fftSize)
    const tick = () => {
      analyser.getFloatTimeDomainData(samples)
      let sum = 0
      for (const s of samples) sum += s * s
      // RMS on a rough decibel scale (−60 dB … 0 dB → 0 … 1): speech sits in the middle.
      const db = 20 * Math.log10(Math.sqrt(sum / samples.length) || 1e-6)
      // Falls back slowly, as a level meter's needle does, so a syllable stays visible.
      this.level = Math.max(Math.min(1, Math.max(0, (db + 60) / 60)), this.level * 0.92)
      this.elapsed = (performance.now() - this.#started) / 1000
      this.#frame = requestAnimationFrame(tick)
    }
    const type = recordingType()
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {})
    const chunks: Blob[] = []
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data)
    recorder.onstop = () => {
      this.#recording = new Blob(chunks, { type: recorder.mimeType || type || 'audio/webm' })
      this.audioUrl = URL.createObjectURL(this.#recording)
      this.mode = 'recorded'
    }
    this.#recorder = recorder
    this.#started = performance.now()
    recorder.start(1000)
    this.mode = 'recording'
    this.#frame = requestAnimationFrame(tick)
    this.#limit = window.setTimeout(() => {
      this.note = at('recorderLimit')
      this.#stop()
    }, this.#maxSeconds * 1000)
  }

  #stop(): void {
    this.elapsed = (performance.now() - this.#started) / 1000
    if (this.#recorder?.state === 'recording') this.#recorder.stop()
    this.#release()
  }

  /** Lets go of the microphone (the browser's recording light goes out) and the meter. */
  #release(): void {
    cancelAnimationFrame(this.#frame)
    clearTimeout(this.#limit)
    this.#stream?.getTracks().forEach((track) => track.stop())
    this.#stream = undefined
    void this.#context?.close().catch(() => {})
    this.#context = undefined
    this.level = 0
  }

  #clearRecording(): void {
    if (this.audioUrl) URL.revokeObjectURL(this.audioUrl)
    this.audioUrl = ''
    this.#recording = undefined
    this.elapsed = 0
    this.mode = 'idle'
  }

  #pick(e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0]
    this.file = file
    if (file) {
      this.#clearRecording()
      this.audioUrl = URL.createObjectURL(file)
    }
  }

  async #submit(e: Event): Promise<void> {
    e.preventDefault()
    const activity = this.activity
    const audio = this.file ?? this.#recording
    if (!activity || !audio) {
      this.error = new Error(at('recorderNothing'))
      return
    }
    const form = new FormData()
    form.set('audio', audio, this.file?.name ?? `recitation.${extension(audio.type)}`)
    if (this.entryTitle.trim()) form.set('title', this.entryTitle.trim())
    if (this.text) form.set('text', this.text)
    this.error = undefined
    this.progress = 0
    try {
      const created = await postForm<{ id: string }>(
        activityPaths.entries(activity.id),
        form,
        (f) => (this.progress = f),
      )
      this.note = at('recorderSubmitted')
      this.#clearRecording()
      this.file = undefined
      this.dispatchEvent(new CustomEvent('submitted', { detail: created, bubbles: true, composed: true }))
    } catch (err) {
      this.error = err
    } finally {
      this.progress = undefined
    }
  }

  override render() {
    const a = this.activity
    if (!a) return nothing
    const recording = this.mode === 'recording'
    return html`<form @submit=${(e: Event) => void this.#submit(e)}>
      <h2>${at('recorderTitle')}</h2>
      ${
        a.texts.length
          ? html`<label for="text">${at('recorderText')}</label>
            <select id="text" .value=${this.text} @change=${(e: Event) => {
              const value = (e.target as HTMLSelectElement).value
              const was = a.texts.find((x) => x.resource === this.text)?.title
              this.text = value
              if (!this.entryTitle || this.entryTitle === was)
                this.entryTitle = a.texts.find((x) => x.resource === value)?.title ?? ''
            }}>
              ${a.texts.map((x) => html`<option value=${x.resource} ?selected=${x.resource === this.text}>${x.title}</option>`)}
              <option value="" ?selected=${!this.text}>${at('recorderTextNone')}</option>
            </select>`
          : nothing
      }
      <label for="title">${at('recorderEntryTitle')}</label>
      <input id="title" maxlength="200" .value=${this.entryTitle} @input=${(e: Event) => (this.entryTitle = (e.target as HTMLInputElement).value)} />

      <div class="deck">
        ${
          recording
            ? html`<button type="button" class="stop" @click=${() => this.#stop()}><span class="dot" aria-hidden="true"></span>${at('recorderStop')}</button>`
            : html`<button type="button" @click=${() => void this.#start()}>${this.mode === 'recorded' ? at('recorderRerecord') : at('recorderStart')}</button>`
        }
        <label class="meter-label" for="level">${at('recorderLevel')}</label>
        <meter id="level" min="0" max="1" low="0.25" high="0.9" optimum="0.6" .value=${this.level}></meter>
        <span class="elapsed" aria-live="off">${at('recorderElapsed', { time: seconds(this.elapsed), max: seconds(this.#maxSeconds) })}</span>
      </div>
      ${
        this.audioUrl && !recording
          ? html`<p class="listen"><span>${at('recorderListen')}</span><audio controls src=${this.audioUrl} aria-label=${at('recorderListen')}></audio></p>`
          : nothing
      }
      <label for="file">${at('recorderUpload')}</label>
      <input id="file" type="file" accept="audio/*" @change=${(e: Event) => this.#pick(e)} ?disabled=${recording} />

      <p role="status" class="note">${this.note}</p>
      ${formError(this.error)}
      <button type="submit" ?disabled=${recording || this.progress !== undefined || (!this.#recording && !this.file)}>
        ${this.progress !== undefined ? at('recorderSubmitting', { percent: Math.round(this.progress * 100) }) : at('recorderSubmit')}
      </button>
    </form>`
  }

  static override styles = [
    base,
    css`
      form { display: grid; gap: 4px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; }
      h2 { margin: 0 0 4px; font-size: 1.15rem; }
      .deck { display: grid; grid-template-columns: auto 1fr; gap: 8px 12px; align-items: center; margin: 16px 0 8px; }
      .deck button { grid-row: span 3; min-width: 7em; min-height: 64px; font-size: 1.05rem; }
      .deck .stop { background: var(--accent); border-color: var(--accent); display: inline-flex; align-items: center; gap: 8px; justify-content: center; }
      .dot { width: 12px; height: 12px; border-radius: 50%; background: #fff; animation: blink 1s infinite; }
      @keyframes blink { 50% { opacity: 0.3; } }
      @media (prefers-reduced-motion: reduce) { .dot { animation: none; } }
      .meter-label { margin: 0; font-weight: 400; font-size: 0.9rem; color: var(--muted); }
      meter { width: 100%; height: 16px; }
      .elapsed { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 0.9rem; }
      .listen { display: grid; gap: 4px; margin: 8px 0; }
      audio { width: 100%; }
      .note:empty { display: none; }
      .note { margin: 8px 0; }
      button[type='submit'] { margin-top: 12px; }
    `,
  ]
}
customElements.define('shulin-recitation-recorder', RecitationRecorder)
