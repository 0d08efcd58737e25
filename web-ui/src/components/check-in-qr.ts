/**
 * @module components/check-in-qr
 * The reader's check-in code as a QR code, drawn on the phone (npm `qrcode`, as SVG: sharp at
 * any size, no image to fetch) and big enough to scan across a desk. The code is signed by the
 * node and holds no personal data, so it is also kept on the device: the page shows it again
 * with no network, in a basement hall. Loaded only by the pages that show one.
 */
import { LitElement, css, html, nothing } from 'lit'
import { unsafeSVG } from 'lit/directives/unsafe-svg.js'
import QRCode from 'qrcode'
import { base } from '../styles.js'
import { at } from '../i18n/activities.js'
import { savedCodeKey } from '../activities.js'

export class CheckInQr extends LitElement {
  static override properties = { activity: {}, code: {}, svg: { state: true } }
  activity = ''
  code = ''
  svg = ''

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('code') && this.code) {
      try {
        localStorage.setItem(savedCodeKey(this.activity), this.code)
      } catch {
        // Private browsing without storage: the code still shows now.
      }
      // Medium error correction: a cracked or dim phone screen still scans.
      void QRCode.toString(this.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((svg) => {
        this.svg = svg
      })
    }
  }

  override render() {
    if (!this.code) return nothing
    return html`<figure>
      <div class="qr" role="img" aria-label=${at('checkInCode')}>${this.svg ? unsafeSVG(this.svg) : nothing}</div>
      <figcaption>
        <code>${this.code.length > 24 ? `${this.code.slice(0, 12)}…${this.code.slice(-8)}` : this.code}</code>
        <span>${at('checkInHint')}</span>
      </figcaption>
    </figure>`
  }

  static override styles = [
    base,
    css`
      figure { margin: 0; display: grid; justify-items: center; gap: 8px; }
      /* White all round and at least 260 px: scanners need the quiet zone and the contrast. */
      .qr { width: min(80vw, 340px); min-width: 260px; aspect-ratio: 1; background: #fff; padding: 8px; border-radius: var(--radius); border: 1px solid var(--line); }
      .qr svg { width: 100%; height: 100%; display: block; }
      figcaption { display: grid; gap: 4px; text-align: center; color: var(--muted); font-size: 0.9rem; }
      code { word-break: break-all; }
    `,
  ]
}
customElements.define('shulin-check-in-qr', CheckInQr)
