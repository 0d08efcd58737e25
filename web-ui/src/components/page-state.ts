/**
 * @module components/page-state
 * Loading and error states every page shows the same way: a status line while loading, and a
 * readable message (in the reader's language) with a retry button when something failed; and
 * {@link taskView}, the same for a page whose data a Lit `Task` fetches.
 */
import { html, type TemplateResult } from 'lit'
import type { Task } from '@lit/task'
import { t } from '../i18n/index.js'

export const loadingView = (): TemplateResult => html`<p class="muted" role="status">${t('loading')}</p>`

export const errorView = (err: unknown, retry?: () => void): TemplateResult =>
  html`<div class="error" role="alert">
    <p>${err instanceof Error ? err.message : t('errorGeneric', { message: String(err) })}</p>
    ${retry ? html`<button class="secondary" @click=${retry}>${t('retry')}</button>` : ''}
  </div>`

/**
 * What a page shows for the data a {@link Task} fetches: the loading line until the first answer
 * (and while a task that answered `initialState` is on its way elsewhere),
 * the last answer while a new one is on its way (after a change the page asked for, the page does
 * not blink; `stale: false` for a page whose task fetches another record, which must not show the
 * last one meanwhile), and the error with a retry that runs the task again.
 *
 * @example
 * ```ts
 * #data = new Task(this, { task: () => api<MemberList>('/api/federation/members'), args: () => [] })
 * override render() {
 *   return taskView(this.#data, (list) => html`${list.members.length}`)
 * }
 * ```
 */
export function taskView<T>(
  task: Task<readonly unknown[], T>,
  complete: (value: T) => unknown,
  opts: { stale?: boolean } = {},
): unknown {
  return task.render({
    initial: loadingView,
    pending: () => (opts.stale !== false && task.value !== undefined ? complete(task.value) : loadingView()),
    complete,
    error: (err) => errorView(err, () => void task.run()),
  })
}
