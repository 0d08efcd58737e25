/**
 * @module pages/staff/upload
 * Staff upload: drop a file (or choose one), fill in the metadata (checked before anything is
 * sent), and the record is created, its file uploaded with a progress bar, and published.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session, upload } from '../../api.js'
import { navigate } from '../../router.js'
import { fieldError, formError } from '../../components/form.js'

const typeFor = (file: File): Resource['type'] =>
  file.type.startsWith('audio/')
    ? 'audiobook'
    : file.type.startsWith('video/')
      ? 'video'
      : file.type.startsWith('image/')
        ? 'image-set'
        : 'book'
const list = (s: string) =>
  s
    .split(/[,，、;；]/)
    .map((x) => x.trim())
    .filter(Boolean)

export class StaffUploadPage extends LitElement {
  static override properties = {
    file: { state: true },
    progress: { state: true },
    error: { state: true },
    over: { state: true },
    done: { state: true },
  }
  file: File | undefined
  progress: number | undefined
  error: unknown
  over = false
  done: Resource | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    if (!session.isStaff()) navigate('/signin?next=/staff/upload', { replace: true })
  }

  #pick(files: FileList | null | undefined): void {
    const f = files?.[0]
    if (f) this.file = f
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const file = this.file
    if (!file) return
    const f = new FormData(e.target as HTMLFormElement)
    const value = (k: string) => String(f.get(k) ?? '').trim()
    this.error = undefined
    this.progress = 0
    try {
      const created = await api<Resource>('/api/staff/resources', {
        body: {
          type: value('type') || typeFor(file),
          access: value('access') || 'public',
          metadata: {
            title: value('title'),
            creators: list(value('creators')),
            subjects: list(value('subjects')),
            ...(value('description') ? { description: value('description') } : {}),
          },
        },
      })
      const role = file.type.startsWith('image/') && typeFor(file) !== 'image-set' ? 'cover' : 'content'
      const path =
        typeFor(file) === 'image-set'
          ? `/api/staff/resources/${created.id}/files/page-image`
          : `/api/staff/resources/${created.id}/files/${role}`
      if (typeFor(file) === 'image-set') {
        await api(path, { method: 'POST', raw: { data: file, type: file.type } })
      } else {
        await upload(path, file, file.type || 'application/octet-stream', (p) => (this.progress = p))
      }
      this.done = await api<Resource>(`/api/staff/resources/${created.id}/publish`, { method: 'POST' })
    } catch (err) {
      this.error = err
    } finally {
      this.progress = undefined
    }
  }

  override render() {
    if (this.done) {
      return html`<p role="status">${t('published')}: <a href="/r/${this.done.id}">${this.done.metadata.title}</a></p>
        <button class="secondary" @click=${() => ((this.done = undefined), (this.file = undefined))}>${t('staffUpload')}</button>`
    }
    const name = this.file?.name.replace(/\.[^.]+$/, '') ?? ''
    return html`
      <h1>${t('staffUpload')}</h1>
      <label
        class="drop ${this.over ? 'over' : ''}"
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.over = true))}
        @dragleave=${() => (this.over = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.over = false), this.#pick(e.dataTransfer?.files))}
      >
        <input type="file" class="visually-hidden" accept=".epub,.pdf,audio/*,video/*,image/*" @change=${(e: Event) => this.#pick((e.target as HTMLInputElement).files)} />
        ${this.file ? html`<strong>${this.file.name}</strong> (${Math.ceil(this.file.size / 1024)} KB)` : t('dropFile')}
      </label>
      ${
        this.file
          ? html`<form @submit=${this.#submit}>
            <label for="title">${t('title')} <span class="muted">(${t('required')})</span></label>
            <input id="title" name="title" required maxlength="500" .value=${name} />
            ${fieldError(this.error, '/metadata/title')}
            <label for="creators">${t('creators')}</label>
            <input id="creators" name="creators" />
            <label for="subjects">${t('subjects')}</label>
            <input id="subjects" name="subjects" />
            <label for="description">${t('description')}</label>
            <textarea id="description" name="description" rows="4" maxlength="20000"></textarea>
            <label for="access">${t('access')}</label>
            <select id="access" name="access">
              <option value="public">${t('accessPublic')}</option>
              <option value="node-readers">${t('accessNodeReaders')}</option>
              <option value="member-readers">${t('accessMemberReaders')}</option>
              <option value="staff">${t('accessStaff')}</option>
            </select>
            ${formError(this.error)}
            ${
              this.progress !== undefined
                ? html`<label for="bar">${t('uploading', { percent: Math.round(this.progress * 100) })}</label><progress id="bar" max="1" .value=${this.progress}></progress>`
                : nothing
            }
            <button type="submit" ?disabled=${this.progress !== undefined}>${t('uploadAndPublish')}</button>
          </form>`
          : nothing
      }
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 640px; margin: 0 auto; }
      .drop { display: grid; place-items: center; min-height: 160px; padding: 24px; border: 2px dashed var(--ink); border-radius: var(--radius); background: #fff; text-align: center; font-weight: 400; cursor: pointer; }
      .drop.over { background: #eef2f7; }
      .drop:focus-within { outline: 3px solid var(--accent); }
      form { display: grid; }
      progress { width: 100%; height: 16px; }
      button[type='submit'] { margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-staff-upload', StaffUploadPage)
