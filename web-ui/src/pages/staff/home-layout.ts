/**
 * @module pages/staff/home-layout
 * The staff's arrangement of the home page: the sections in order (move up or down, show or
 * hide) and the banner strip (add one with its alt text and link, give it an image, order,
 * edit or remove it). One save sends the whole order with the ETag read, so an editor working
 * on an old copy is told (412) instead of undoing a colleague's order.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { HomeLayout, HomeSectionKind } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, ifMatch, upload } from '../../api.js'
import { errorView, loadingView } from '../../components/page-state.js'
import { pt } from '../../i18n/portal.js'

const sectionName: Record<HomeSectionKind, Parameters<typeof pt>[0]> = {
  banners: 'sectionBanners',
  news: 'sectionNews',
  shelves: 'sectionShelves',
  newArrivals: 'sectionNewArrivals',
  recommendations: 'sectionRecommendations',
  courses: 'sectionCourses',
  live: 'sectionLive',
  activities: 'sectionActivities',
}

/** `list` with item `i` moved by `by` places (staying inside the list). */
function moved<T>(list: T[], i: number, by: number): T[] {
  const j = Math.max(0, Math.min(list.length - 1, i + by))
  const out = [...list]
  const [x] = out.splice(i, 1)
  out.splice(j, 0, x!)
  return out
}

export class StaffHomeLayout extends LitElement {
  static override properties = { layout: { state: true }, error: { state: true }, status: { state: true } }
  layout: HomeLayout | undefined
  error: unknown
  status = ''

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#load()
  }

  async #load(): Promise<void> {
    this.error = undefined
    try {
      this.layout = await api<HomeLayout>('/api/staff/portal/home')
    } catch (err) {
      this.error = err
    }
  }

  async #run(step: () => Promise<HomeLayout>, saved = false): Promise<void> {
    this.status = ''
    try {
      this.layout = await step()
      if (saved) this.status = pt('layoutSaved')
    } catch (err) {
      this.error = err
    }
  }

  #save(): Promise<void> {
    const l = this.layout!
    return this.#run(
      () =>
        api<HomeLayout>('/api/staff/portal/home', {
          method: 'PUT',
          headers: ifMatch(l.revision),
          body: {
            sections: l.sections,
            banners: l.banners.map(({ id, alt, href }) => ({ id, alt, href })),
          },
        }),
      true,
    )
  }

  #edit(change: (l: HomeLayout) => Partial<HomeLayout>): void {
    this.layout = { ...this.layout!, ...change(this.layout!) }
    this.status = ''
  }

  #add(e: SubmitEvent): void {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    void this.#run(async () => {
      const l = await api<HomeLayout>('/api/staff/portal/banners', {
        headers: ifMatch(this.layout!.revision),
        body: { alt: data.get('alt'), href: data.get('href') },
      })
      form.reset()
      return l
    })
  }

  #image(id: string, e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (file)
      void this.#run(() => upload<HomeLayout>(`/api/staff/portal/banners/${id}/image`, file, file.type, () => {}))
  }

  override render() {
    if (this.error) return errorView(this.error, () => void this.#load())
    const l = this.layout
    if (!l) return loadingView()
    return html`
      <h2>${pt('layoutTitle')}</h2>
      <p class="muted">${pt('layoutHint')}</p>
      <h3 id="sections">${pt('layoutSections')}</h3>
      <ol aria-labelledby="sections">
        ${l.sections.map(
          (s, i) => html`<li>
            <label><input type="checkbox" .checked=${!s.hidden} @change=${(e: Event) =>
              this.#edit((x) => ({
                sections: x.sections.map((y, j) =>
                  j === i ? { ...y, hidden: !(e.target as HTMLInputElement).checked } : y,
                ),
              }))} />
              ${pt(sectionName[s.kind])}</label>
            <span class="moves">
              <button class="secondary" ?disabled=${i === 0} aria-label="${pt('layoutUp')}：${pt(sectionName[s.kind])}" @click=${() => this.#edit((x) => ({ sections: moved(x.sections, i, -1) }))}>↑</button>
              <button class="secondary" ?disabled=${i === l.sections.length - 1} aria-label="${pt('layoutDown')}：${pt(sectionName[s.kind])}" @click=${() => this.#edit((x) => ({ sections: moved(x.sections, i, 1) }))}>↓</button>
            </span>
          </li>`,
        )}
      </ol>
      <h3 id="banners">${pt('layoutBanners')}</h3>
      <ol aria-labelledby="banners" class="banners">
        ${l.banners.map(
          (b, i) => html`<li>
            ${b.image ? html`<img src="/api/portal/banners/${b.id}/image?v=${b.image.blob.slice(0, 16)}" alt="" width="180" height="60" />` : html`<span class="muted">${pt('layoutNoImage')}</span>`}
            <label>${pt('layoutAlt')}<input .value=${b.alt} @input=${(e: Event) => this.#edit((x) => ({ banners: x.banners.map((y) => (y.id === b.id ? { ...y, alt: (e.target as HTMLInputElement).value } : y)) }))} /></label>
            <label>${pt('layoutHref')}<input .value=${b.href} @input=${(e: Event) => this.#edit((x) => ({ banners: x.banners.map((y) => (y.id === b.id ? { ...y, href: (e.target as HTMLInputElement).value } : y)) }))} /></label>
            <label>${pt('layoutImage')}<input type="file" accept="image/jpeg,image/png,image/webp" @change=${(e: Event) => this.#image(b.id, e)} /></label>
            <span class="moves">
              <button class="secondary" ?disabled=${i === 0} aria-label="${pt('layoutUp')}：${b.alt}" @click=${() => this.#edit((x) => ({ banners: moved(x.banners, i, -1) }))}>↑</button>
              <button class="secondary" ?disabled=${i === l.banners.length - 1} aria-label="${pt('layoutDown')}：${b.alt}" @click=${() => this.#edit((x) => ({ banners: moved(x.banners, i, 1) }))}>↓</button>
              <button class="secondary" @click=${() => this.#edit((x) => ({ banners: x.banners.filter((y) => y.id !== b.id) }))}>${pt('layoutRemove')}</button>
            </span>
          </li>`,
        )}
      </ol>
      <p><button @click=${() => void this.#save()}>${pt('layoutSave')}</button> <span role="status">${this.status || nothing}</span></p>
      <form @submit=${(e: SubmitEvent) => this.#add(e)}>
        <h3>${pt('layoutNewBanner')}</h3>
        <label>${pt('layoutAlt')}<input name="alt" required maxlength="200" /></label>
        <label>${pt('layoutHref')}<input name="href" required maxlength="2000" placeholder="/collections/…" /></label>
        <button>${pt('layoutAdd')}</button>
      </form>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 720px; }
      ol { padding: 0; margin: 0 0 16px; list-style: none; }
      li { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; padding: 6px 0; border-bottom: 1px solid var(--line); }
      .banners li { flex-direction: column; align-items: stretch; }
      label { display: flex; flex-direction: column; gap: 4px; }
      li > label:has(input[type='checkbox']) { flex-direction: row; align-items: center; min-height: 44px; }
      input[type='checkbox'] { width: 22px; height: 22px; }
      .moves { display: flex; gap: 6px; }
      .moves button { min-width: 44px; }
      form { display: flex; flex-direction: column; gap: 10px; border-top: 1px solid var(--line); padding-top: 8px; }
      form button { align-self: flex-start; }
    `,
  ]
}
customElements.define('shulin-staff-home-layout', StaffHomeLayout)
