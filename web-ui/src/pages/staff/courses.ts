/**
 * @module pages/staff/courses
 * Open courses for staff: create a course, add lectures, upload each lecture's video (with the
 * upload's progress, then the transcode's), subtitles (SRT or WebVTT, one per language) and
 * chapters (title + m:ss), publish or withdraw the course, and the transcode queue with
 * progress and errors. While anything is being transcoded the page asks again every two
 * seconds, and stops when nothing is.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { CourseDetail, CourseList, CourseSummary, LectureView, TranscodeJobView } from '@shulin/protocol'

interface TranscodeJobList {
  jobs: TranscodeJobView[]
}
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { ct } from '../../i18n/courses.js'
import { api, upload } from '../../api.js'
import { errorView, loadingView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'
import { lectureState } from '../reader/courses.js'
import { clock } from '../../links.js'

const pollMs = 2000
const list = (s: string) =>
  s
    .split(/[,，、;；]/)
    .map((x) => x.trim())
    .filter(Boolean)

/** `m:ss`, `h:mm:ss` or plain seconds → seconds; undefined when it is none of those. */
export function parseClock(text: string): number | undefined {
  const s = text.trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s)
  const m = /^(?:(\d+):)?(\d{1,3}):([0-5]\d)$/.exec(s)
  if (!m) return undefined
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3])
}

/** The subtitle languages offered first (any BCP 47 tag can be typed). */
const languages: Array<[string, string]> = [
  ['zh', '中文'],
  ['en', 'English'],
]

interface ChapterRow {
  title: string
  at: string
}

export class StaffCourses extends LitElement {
  /** Re-rendered in the new language when the reader switches. */
  #relabel = () => this.requestUpdate()
  static override properties = {
    courses: { state: true },
    selected: { state: true },
    course: { state: true },
    jobs: { state: true },
    error: { state: true },
    formErr: { state: true },
    note: { state: true },
    uploads: { state: true },
    chapters: { state: true },
  }
  courses: CourseSummary[] | undefined
  selected = ''
  course: CourseDetail | undefined
  jobs: TranscodeJobList['jobs'] = []
  error: unknown
  /** The last form's error, shown beside that form. */
  formErr: { form: string; err: unknown } | undefined
  note = ''
  /** Upload progress (0…1) by lecture id. */
  uploads: Record<string, number> = {}
  /** Chapter rows being edited, by lecture id. */
  chapters: Record<string, ChapterRow[]> = {}
  #poll: number | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
    void this.#loadAll()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
    clearTimeout(this.#poll)
  }

  async #loadAll(): Promise<void> {
    try {
      const lists = await Promise.all(
        (['draft', 'published', 'withdrawn'] as const).map((s) => api<CourseList>(`/api/courses?status=${s}`)),
      )
      this.courses = lists.flatMap((l) => l.courses)
      if (!this.selected && this.courses[0]) this.selected = this.courses[0].id
      await this.#refresh()
    } catch (err) {
      this.error = err
    }
  }

  /** The selected course and the transcode queue; again in a moment while anything is being transcoded. */
  async #refresh(): Promise<void> {
    clearTimeout(this.#poll)
    const [course, jobs] = await Promise.all([
      this.selected ? api<CourseDetail>(`/api/courses/${this.selected}`) : Promise.resolve(undefined),
      api<TranscodeJobList>('/api/staff/transcode-jobs').catch(() => ({ jobs: [] })),
    ])
    this.course = course
    this.jobs = jobs.jobs
    for (const l of course?.lectures ?? [])
      if (!this.chapters[l.id])
        this.chapters = { ...this.chapters, [l.id]: l.chapters.map((c) => ({ title: c.title, at: clock(c.start) })) }
    const busy =
      course?.lectures.some((l) => l.status === 'processing' && l.original) ||
      jobs.jobs.some((j) => j.state === 'queued' || j.state === 'running')
    if (busy && this.isConnected) this.#poll = window.setTimeout(() => void this.#refresh().catch(() => {}), pollMs)
  }

  async #try(form: string, work: () => Promise<void>): Promise<void> {
    this.formErr = undefined
    this.note = ''
    try {
      await work()
    } catch (err) {
      this.formErr = { form, err }
    }
  }

  #err(form: string): unknown {
    return this.formErr?.form === form ? this.formErr.err : undefined
  }

  async #createCourse(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const formEl = e.target as HTMLFormElement
    const f = new FormData(formEl)
    const v = (k: string) => String(f.get(k) ?? '').trim()
    await this.#try('course', async () => {
      const created = await api<CourseDetail>('/api/courses', {
        body: {
          title: v('title'),
          ...(v('description') ? { description: v('description') } : {}),
          ...(v('series') ? { series: v('series') } : {}),
          speakers: list(v('speakers')).map((name) => ({ name })),
        },
      })
      formEl.reset()
      formEl.closest('details')?.removeAttribute('open')
      this.selected = created.id
      this.note = ct('staffCourseCreated', { title: created.title })
      await this.#loadAll()
    })
  }

  async #addLecture(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const formEl = e.target as HTMLFormElement
    const title = String(new FormData(formEl).get('title') ?? '').trim()
    await this.#try('lecture', async () => {
      await api<LectureView>(`/api/courses/${this.selected}/lectures`, { body: { title } })
      formEl.reset()
      this.note = ct('staffLectureAdded', { title })
      await this.#refresh()
    })
  }

  async #act(action: 'publish' | 'withdraw'): Promise<void> {
    await this.#try('course-state', async () => {
      await api(`/api/courses/${this.selected}/${action}`, { method: 'POST' })
      this.note = t(action === 'publish' ? 'published' : 'withdrawn')
      await this.#loadAll()
    })
  }

  async #uploadVideo(e: SubmitEvent, l: LectureView): Promise<void> {
    e.preventDefault()
    const file = (e.target as HTMLFormElement).querySelector<HTMLInputElement>('input[type=file]')?.files?.[0]
    if (!file) return
    await this.#try(`video-${l.id}`, async () => {
      this.uploads = { ...this.uploads, [l.id]: 0 }
      try {
        await upload(
          `/api/lectures/${l.id}/video`,
          file,
          file.type || 'video/mp4',
          (p) => (this.uploads = { ...this.uploads, [l.id]: p }),
        )
      } finally {
        const { [l.id]: _done, ...rest } = this.uploads
        this.uploads = rest
      }
      this.note = ct('staffUploaded')
      await this.#refresh()
    })
  }

  async #uploadSubtitles(e: SubmitEvent, l: LectureView): Promise<void> {
    e.preventDefault()
    const formEl = e.target as HTMLFormElement
    const file = formEl.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0]
    const lang = String(new FormData(formEl).get('lang') ?? '').trim()
    if (!file || !lang) return
    const label = languages.find(([tag]) => tag === lang)?.[1] ?? lang
    const type = /\.srt$/i.test(file.name) ? 'application/x-subrip' : 'text/vtt'
    await this.#try(`subs-${l.id}`, async () => {
      await api(`/api/lectures/${l.id}/subtitles/${encodeURIComponent(lang)}?label=${encodeURIComponent(label)}`, {
        method: 'PUT',
        raw: { data: file, type },
      })
      formEl.reset()
      this.note = ct('staffSubtitleUploaded', { lang: label })
      await this.#refresh()
    })
  }

  #setRows(id: string, rows: ChapterRow[]): void {
    this.chapters = { ...this.chapters, [id]: rows }
  }

  async #saveChapters(e: SubmitEvent, l: LectureView): Promise<void> {
    e.preventDefault()
    const rows = this.chapters[l.id] ?? []
    const body = rows.map((r) => ({ title: r.title.trim(), start: parseClock(r.at) }))
    const bad = body.findIndex((c) => c.start === undefined)
    if (bad >= 0) {
      this.formErr = { form: `chapters-${l.id}`, err: new Error(`${bad + 1}: ${ct('staffChapterBadTime')}`) }
      return
    }
    await this.#try(`chapters-${l.id}`, async () => {
      await api(`/api/lectures/${l.id}/chapters`, { method: 'PUT', body })
      this.note = ct('staffChaptersSaved')
      await this.#refresh()
    })
  }

  #chapterEditor(l: LectureView) {
    const rows = this.chapters[l.id] ?? []
    const edit = (i: number, patch: Partial<ChapterRow>) =>
      this.#setRows(
        l.id,
        rows.map((r, k) => (k === i ? { ...r, ...patch } : r)),
      )
    return html`<form class="chapters" @submit=${(e: SubmitEvent) => void this.#saveChapters(e, l)}>
      <fieldset>
        <legend>${ct('staffChapters')}</legend>
        ${rows.map(
          (r, i) => html`<div class="chapter">
            <input aria-label="${ct('staffChapterTitle')} ${i + 1}" placeholder=${ct('staffChapterTitle')} required maxlength="500" .value=${r.title} @input=${(e: Event) => edit(i, { title: (e.target as HTMLInputElement).value })} />
            <input class="at" aria-label="${ct('staffChapterStart')} ${i + 1}" placeholder="0:00" inputmode="numeric" required .value=${r.at} @input=${(e: Event) => edit(i, { at: (e.target as HTMLInputElement).value })} />
            <button type="button" class="secondary" aria-label=${ct('staffChapterRemove', { n: i + 1 })} @click=${() =>
              this.#setRows(
                l.id,
                rows.filter((_, k) => k !== i),
              )}>×</button>
          </div>`,
        )}
        <div class="row">
          <button type="button" class="secondary" @click=${() => this.#setRows(l.id, [...rows, { title: '', at: '' }])}>${ct('staffChapterAdd')}</button>
          <button type="submit">${ct('staffChaptersSave')}</button>
        </div>
        ${formError(this.#err(`chapters-${l.id}`))}
      </fieldset>
    </form>`
  }

  #lecture(l: LectureView, n: number) {
    const uploading = this.uploads[l.id]
    return html`<li class="lecture">
      <div class="head">
        <h3><a href="/lectures/${l.id}">${n}. ${l.title}</a></h3>
        <span class=${`state ${l.status}`} role="status" data-lecture=${l.id} data-status=${l.original || l.status !== 'processing' ? l.status : 'empty'}>${l.original || l.status !== 'processing' ? lectureState(l) : ct('lectureNoVideo')}</span>
      </div>
      ${l.status === 'processing' && l.original ? html`<progress max="1" .value=${l.progress ?? 0} aria-label=${ct('lectureProcessing')}></progress>` : nothing}
      ${l.status === 'failed' && l.error ? html`<p class="error">${l.error}</p>` : nothing}
      <form @submit=${(e: SubmitEvent) => void this.#uploadVideo(e, l)}>
        <label for="video-${l.id}">${ct('staffVideo')}</label>
        <div class="row">
          <input id="video-${l.id}" type="file" required accept="video/mp4,video/quicktime,video/x-matroska,video/webm,.mp4,.mov,.mkv,.webm" />
          <button type="submit" ?disabled=${uploading !== undefined}>${ct('staffVideoUpload')}</button>
        </div>
        ${
          uploading !== undefined
            ? html`<p role="status">${ct('staffUploading', { percent: Math.round(uploading * 100) })}</p><progress max="1" .value=${uploading} aria-label=${ct('staffVideoUpload')}></progress>`
            : nothing
        }
        ${formError(this.#err(`video-${l.id}`))}
      </form>
      <form @submit=${(e: SubmitEvent) => void this.#uploadSubtitles(e, l)}>
        <label for="subs-${l.id}">${ct('staffSubtitleFile')}</label>
        <input id="subs-${l.id}" type="file" required accept=".srt,.vtt,text/vtt,application/x-subrip" />
        <div class="row subs">
          <label class="inline" for="lang-${l.id}">${ct('staffSubtitleLang')}</label>
          <input id="lang-${l.id}" class="lang" name="lang" required list="langs" value="zh" pattern="[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*" />
          <button type="submit">${ct('staffSubtitleUpload')}</button>
        </div>
        ${l.subtitles.length ? html`<p class="muted">${ct('staffSubtitlesHave')}：${l.subtitles.map((s) => s.label).join('、')}</p>` : nothing}
        ${formError(this.#err(`subs-${l.id}`))}
      </form>
      ${this.#chapterEditor(l)}
    </li>`
  }

  #jobState(state: string): string {
    return ct(
      state === 'queued'
        ? 'staffJobQueued'
        : state === 'running'
          ? 'staffJobRunning'
          : state === 'done'
            ? 'staffJobDone'
            : 'staffJobFailed',
    )
  }

  override render() {
    if (this.error) return errorView(this.error, () => ((this.error = undefined), void this.#loadAll()))
    if (!this.courses) return loadingView()
    const c = this.course
    return html`
      <h1>${t('staffCourses')}</h1>
      <p role="status" class="note">${this.note}</p>
      <details ?open=${!this.courses.length}>
        <summary>${ct('staffCourseNew')}</summary>
        <form @submit=${this.#createCourse}>
          <label for="c-title">${ct('staffCourseTitle')} <span class="muted">(${t('required')})</span></label>
          <input id="c-title" name="title" required maxlength="500" />
          ${fieldError(this.#err('course'), '/title')}
          <label for="c-series">${ct('staffCourseSeries')}</label>
          <input id="c-series" name="series" maxlength="200" />
          <label for="c-speakers">${ct('staffCourseSpeakers')}</label>
          <input id="c-speakers" name="speakers" />
          <label for="c-description">${ct('staffCourseDescription')}</label>
          <textarea id="c-description" name="description" rows="3" maxlength="20000"></textarea>
          ${formError(this.#err('course'))}
          <button type="submit">${ct('staffCourseCreate')}</button>
        </form>
      </details>
      ${
        this.courses.length
          ? html`<label for="course">${ct('staffCourseChoose')}</label>
            <select id="course" @change=${(e: Event) => ((this.selected = (e.target as HTMLSelectElement).value), (this.course = undefined), void this.#refresh())}>
              ${this.courses.map((x) => html`<option value=${x.id} ?selected=${x.id === this.selected}>${x.title}（${t(`status_${x.status}`)}）</option>`)}
            </select>`
          : nothing
      }
      ${
        c
          ? html`<section class="course" aria-labelledby="course-title">
            <div class="head">
              <h2 id="course-title"><a href="/courses/${c.id}">${c.title}</a></h2>
              <span class="badge">${t(`status_${c.status}`)}</span>
              ${
                c.status === 'published'
                  ? html`<button class="secondary" @click=${() => void this.#act('withdraw')}>${t('withdraw')}</button>`
                  : html`<button @click=${() => void this.#act('publish')}>${t('publish')}</button>`
              }
            </div>
            ${formError(this.#err('course-state'))}
            <ol class="lectures">
              ${[...c.lectures].sort((a, b) => a.position - b.position).map((l, i) => this.#lecture(l, i + 1))}
            </ol>
            <form class="add" @submit=${this.#addLecture}>
              <label for="l-title">${ct('staffLectureNew')}</label>
              <div class="row">
                <input id="l-title" name="title" required maxlength="500" placeholder=${ct('staffLectureTitle')} />
                <button type="submit">${ct('staffLectureAdd')}</button>
              </div>
              ${formError(this.#err('lecture'))}
            </form>
          </section>`
          : this.selected
            ? loadingView()
            : nothing
      }
      <section aria-labelledby="jobs">
        <h2 id="jobs">${ct('staffTranscodeJobs')}</h2>
        ${
          this.jobs.length
            ? html`<ul class="jobs">
              ${this.jobs.map(
                (j) => html`<li>
                  <span class="title">${j.title}</span>
                  <span class=${`state ${j.state}`}>${this.#jobState(j.state)}${j.state === 'running' ? ` ${Math.round(j.progress * 100)}%` : ''}</span>
                  ${j.state === 'running' || j.state === 'queued' ? html`<progress max="1" .value=${j.progress} aria-label=${j.title}></progress>` : nothing}
                  ${j.error ? html`<p class="error">${j.error}</p>` : nothing}
                </li>`,
              )}
            </ul>`
            : html`<p class="muted">${ct('staffTranscodeNone')}</p>`
        }
      </section>
      <datalist id="langs">${languages.map(([tag, label]) => html`<option value=${tag}>${label}</option>`)}</datalist>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 900px; margin: 0 auto; }
      h1 { font-size: 1.4rem; margin: 0; }
      .note:empty { display: none; }
      details { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 8px 12px; margin: 12px 0; }
      summary { min-height: 44px; display: flex; align-items: center; font-weight: 700; color: var(--ink); cursor: pointer; }
      details form { display: grid; padding-bottom: 8px; }
      details button[type='submit'] { margin-top: 12px; justify-self: start; }
      .head { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; }
      .head h2, .head h3 { margin: 0; flex: 1 1 12em; }
      .badge { font-size: 0.9rem; color: var(--muted); }
      ol, ul { list-style: none; padding: 0; }
      .lecture { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 12px; margin-bottom: 12px; }
      .lecture h3 { font-size: 1.05rem; }
      .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
      .row input[type='file'] { flex: 1 1 14em; }
      .row input:not([type='file']) { flex: 1 1 10em; width: auto; }
      .subs { margin-top: 8px; }
      select#course { margin-bottom: 16px; }
      .course .head { margin-top: 8px; }
      .inline { margin: 0; }
      progress { width: 100%; height: 12px; }
      .state { font-size: 0.9rem; color: var(--muted); }
      .state.failed { color: var(--accent); }
      .error { overflow-wrap: anywhere; }
      fieldset { border: 1px solid var(--line); border-radius: var(--radius); margin: 12px 0 0; padding: 8px 12px 12px; }
      legend { font-weight: 600; padding: 0 4px; }
      .chapter { display: grid; grid-template-columns: 1fr 5.5em 44px; gap: 8px; margin-bottom: 8px; }
      .chapter button { padding: 0; }
      .jobs li { display: grid; grid-template-columns: 1fr auto; gap: 4px 12px; padding: 8px 0; border-bottom: 1px solid var(--line); }
      .jobs progress, .jobs .error { grid-column: 1 / -1; margin: 0; }
      .row.subs input.lang { flex: none; width: 7em; }
    `,
  ]
}
customElements.define('shulin-staff-courses', StaffCourses)
