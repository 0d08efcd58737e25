/**
 * @module components/form
 * Field errors from the server (JSON Pointers) shown under the matching input, and the
 * whole-form message for the rest.
 */
import { html, nothing, type TemplateResult } from 'lit'
import { ApiError } from '../api.js'

export function fieldError(err: unknown, pointer: string): TemplateResult | typeof nothing {
  if (!(err instanceof ApiError)) return nothing
  const f = err.fields.find((e) => e.pointer === pointer)
  return f ? html`<p class="field-error" id="err${pointer.replace(/\W/g, '-')}">${f.detail}</p>` : nothing
}

export function formError(err: unknown): TemplateResult | typeof nothing {
  if (!err) return nothing
  return html`<p class="error" role="alert">${err instanceof Error ? err.message : String(err)}</p>`
}
