/**
 * Read-aloud in the EPUB reader, in real Chromium against a real node. Headless Chromium has no
 * voices, so an init script replaces the browser's `speechSynthesis` and
 * `SpeechSynthesisUtterance` with a recorder whose utterances end only when the test says so:
 * the test then sees the sentences spoken in order, in a zh-CN voice, the highlight moving with
 * them and the page following, the spoken sentence kept as the reading position (on the server
 * too), and reading resuming from that sentence after a reload. Every control is reached by
 * role and name, from the keyboard, and axe finds nothing on the reader with the controls open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { epubEntries, zip } from '../../node/src/testing/fixtures.js'
import { hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

/** Paragraph n has three sentences, each naming its paragraph, so their order shows. */
const sentencesOf = (n: number) => [
  `第${n}段，春江潮水连海平。`,
  `第${n}段，海上明月共潮生。`,
  `第${n}段，何处春江无月明。`,
]
function book(): Buffer {
  const chapter = (c: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>第${c}章</title></head><body><h1>第${c}章</h1>${Array.from(
      { length: 40 },
      (_, i) => `<p>${sentencesOf(i + 1).join('')}</p>`,
    ).join('')}</body></html>`
  return zip(
    epubEntries({ title: '春江花月夜' }).map((e) =>
      e.name.endsWith('c1.xhtml')
        ? { ...e, data: chapter(1) }
        : e.name.endsWith('c2.xhtml')
          ? { ...e, data: chapter(2) }
          : e,
    ),
  )
}
/** What the reader should hear from the top of chapter 1. */
const script = ['第1章', ...Array.from({ length: 40 }, (_, i) => sentencesOf(i + 1)).flat()]

/** The recorder standing in for the device's speech synthesis (runs in the page). */
function installRecorder(): void {
  type Spoken = { text: string; lang: string; voice: string | undefined; rate: number }
  const w = window as unknown as {
    spoken: Spoken[]
    finishUtterance: () => boolean
  }
  class Utterance extends EventTarget {
    lang = ''
    voice: { name: string } | null = null
    rate = 1
    constructor(public text: string) {
      super()
    }
  }
  const voices = [
    { name: 'Samantha', lang: 'en-US', localService: true, default: true, voiceURI: 'samantha' },
    { name: 'Ting-Ting', lang: 'zh-CN', localService: true, default: false, voiceURI: 'tingting' },
  ]
  let current: Utterance | undefined
  const queue: Utterance[] = []
  const begin = () => {
    current = queue.shift()
    if (!current) return
    w.spoken.push({ text: current.text, lang: current.lang, voice: current.voice?.name, rate: current.rate })
    current.dispatchEvent(new Event('start'))
  }
  w.spoken = []
  w.finishUtterance = () => {
    const done = current
    if (!done) return false
    current = undefined
    done.dispatchEvent(new Event('end'))
    if (!current) begin()
    return true
  }
  const synth = Object.assign(new EventTarget(), {
    get speaking() {
      return !!current
    },
    pending: false,
    paused: false,
    getVoices: () => voices,
    speak(u: Utterance) {
      queue.push(u)
      if (!current) begin()
    },
    cancel() {
      queue.length = 0
      const was = current
      current = undefined
      if (was) was.dispatchEvent(Object.assign(new Event('error'), { error: 'interrupted' }))
    },
    pause() {},
    resume() {},
  })
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true })
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true })
}

describe.skipIf(!hasChromium)('read-aloud in the EPUB reader', () => {
  let t: TempNode
  let browser: Browser
  let bookId: string

  beforeAll(async () => {
    t = await startTempNode({ name: '县图书馆' })
    const staff = await signedInAdmin(t)
    bookId = (
      await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title: '春江花月夜', creators: ['张若虚'] },
      })
    ).body.id
    await staff.put(`/api/staff/resources/${bookId}/files/content`, book(), { 'content-type': 'application/epub+zip' })
    expect((await staff.post(`/api/staff/resources/${bookId}/publish`)).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const spoken = (page: Page) =>
    page.evaluate(
      () =>
        (window as unknown as { spoken: Array<{ text: string; lang: string; voice?: string; rate: number }> }).spoken,
    )
  const finish = (page: Page) =>
    page.evaluate(() => (window as unknown as { finishUtterance: () => boolean }).finishUtterance())
  /** The text under the read-aloud highlight inside the book's iframe. */
  const highlighted = (page: Page) =>
    page.locator('shulin-read-epub').evaluate((el) => {
      const view = el.shadowRoot!.querySelector('foliate-view') as unknown as {
        renderer: { getContents(): Array<{ doc: Document }> }
      }
      const win = view.renderer.getContents()[0]!.doc.defaultView as Window & typeof globalThis
      const h = win.CSS.highlights.get('shulin-read-aloud')
      return h ? [...h].map((r) => r.toString()).join('') : ''
    })
  const reader = (page: Page) => page.locator('shulin-read-epub')

  it('speaks sentence by sentence in a zh-CN voice, highlights and follows them, keeps the place and resumes there', async () => {
    const page = await signInAsAdmin(browser, t.node.url, `/read/${bookId}`, phone)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.context().addInitScript(installRecorder)
    await page.reload()
    await expect.poll(() => reader(page).getAttribute('data-cfi'), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    const firstPage = await reader(page).getAttribute('data-cfi')

    // Keyboard only: the read-aloud button is reachable by Tab and starts reading with Enter.
    const listen = page.getByRole('button', { name: '朗读', exact: true })
    for (let i = 0; i < 12 && !(await listen.evaluate((b) => b.matches(':focus'))); i++)
      await page.keyboard.press('Tab')
    await expect.poll(() => listen.evaluate((b) => b.matches(':focus'))).toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => listen.getAttribute('aria-expanded')).toBe('true')

    await expect.poll(() => spoken(page).then((s) => s.length), { timeout: 10_000 }).toBe(1)
    for (let i = 1; i < 5; i++) {
      await expect.poll(() => highlighted(page)).toBe(script[i - 1])
      await expect.poll(() => page.getByTestId('spoken-sentence').textContent()).toBe(script[i - 1])
      expect(await finish(page)).toBe(true)
      await expect.poll(() => spoken(page).then((s) => s.length)).toBe(i + 1)
    }
    const first = await spoken(page)
    expect(first.map((s) => s.text)).toEqual(script.slice(0, 5))
    expect(first.every((s) => s.lang === 'zh-CN' && s.voice === 'Ting-Ting' && s.rate === 1)).toBe(true)
    await expect.poll(() => page.getByRole('status').filter({ hasText: '正在朗读' }).count()).toBe(1)
    await shot(page, 'phone-read-aloud')

    // Every control has a role and a name, and axe finds nothing on the reader with them open.
    for (const name of ['上一句', '暂停朗读', '下一句', '停止朗读'])
      expect(await page.getByRole('button', { name, exact: true }).isVisible()).toBe(true)
    expect(await page.getByRole('combobox', { name: '语速' }).isVisible()).toBe(true)
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([])

    // Speed: the next sentence is said faster; "next sentence" skips one.
    await page.getByRole('combobox', { name: '语速' }).selectOption('1.5')
    await expect.poll(() => spoken(page).then((s) => s.at(-1))).toMatchObject({ text: script[4], rate: 1.5 })
    await page.getByRole('button', { name: '下一句', exact: true }).click()
    await expect.poll(() => spoken(page).then((s) => s.at(-1)?.text)).toBe(script[5])
    await page.getByRole('button', { name: '上一句', exact: true }).click()
    await expect.poll(() => spoken(page).then((s) => s.at(-1)?.text)).toBe(script[4])

    // On through many sentences: the highlight moves and the page turns to follow it.
    let at = 4
    for (; at < 60; at++) {
      expect(await finish(page)).toBe(true)
      await expect.poll(() => spoken(page).then((s) => s.at(-1)?.text)).toBe(script[at + 1])
    }
    await expect.poll(() => highlighted(page)).toBe(script[at])
    await expect.poll(() => reader(page).getAttribute('data-cfi')).not.toBe(firstPage)
    await shot(page, 'phone-read-aloud-later')

    // Pause: nothing more is said; the spoken sentence is the reader's position, on the server too.
    await page.getByRole('button', { name: '暂停朗读', exact: true }).click()
    await expect.poll(() => page.getByRole('status').filter({ hasText: '朗读已暂停' }).count()).toBe(1)
    const saidBefore = (await spoken(page)).length
    expect(await finish(page)).toBe(false)
    const place = await reader(page).getAttribute('data-spoken')
    expect(place).toMatch(/^epubcfi\(/)
    await expect.poll(() => reader(page).getAttribute('data-saved'), { timeout: 10_000 }).toBe(place)
    const state = await page.evaluate(async (id) => (await fetch(`/api/me/reading/${id}`)).json(), bookId)
    expect(state.progress.position).toEqual({ kind: 'epub', cfi: place })
    expect((await spoken(page)).length).toBe(saidBefore)

    // Resume goes on from the same sentence.
    await page.getByRole('button', { name: '继续朗读', exact: true }).click()
    await expect.poll(() => spoken(page).then((s) => s.at(-1)?.text)).toBe(script[at])

    // Reload: the book opens at that place and reading aloud starts from that very sentence.
    await page.reload()
    await expect.poll(() => reader(page).getAttribute('data-cfi'), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    await page.getByRole('button', { name: '朗读', exact: true }).click()
    await expect.poll(() => spoken(page).then((s) => s[0]?.text), { timeout: 10_000 }).toBe(script[at])
    expect((await spoken(page))[0]?.rate).toBe(1.5) // the speed is kept too
    await expect.poll(() => highlighted(page)).toBe(script[at])

    // At the end of the chapter it goes on into the next one, and the page goes with it.
    const chapterOne = await reader(page).getAttribute('data-cfi')
    for (let i = at; i < script.length; i++) {
      expect(await finish(page)).toBe(true)
      await expect.poll(() => spoken(page).then((s) => s.length), { timeout: 10_000 }).toBe(i - at + 2)
    }
    expect((await spoken(page)).slice(-2).map((s) => s.text)).toEqual([script.at(-1), '第2章'])
    await expect.poll(() => highlighted(page)).toBe('第2章')
    await expect.poll(() => reader(page).getAttribute('data-cfi')).not.toBe(chapterOne)
    await shot(page, 'phone-read-aloud-chapter-2')

    // Stop closes the controls and silences the synthesiser.
    await page.getByRole('button', { name: '停止朗读', exact: true }).click()
    await expect
      .poll(() => page.getByRole('button', { name: '朗读', exact: true }).getAttribute('aria-expanded'))
      .toBe('false')
    expect(await finish(page)).toBe(false)
    expect(await highlighted(page)).toBe('')
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it('says so where the browser has no speech synthesis, and the book still reads', async () => {
    const page = await signInAsAdmin(browser, t.node.url, `/read/${bookId}`, phone)
    await page.context().addInitScript(() => {
      delete (Window.prototype as Partial<Window>).speechSynthesis
      delete (window as Partial<Window>).speechSynthesis
    })
    await page.reload()
    await expect.poll(() => reader(page).getAttribute('data-cfi'), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    expect(await page.evaluate(() => 'speechSynthesis' in window)).toBe(false)
    await page.getByRole('button', { name: '朗读', exact: true }).click()
    await expect.poll(() => page.getByRole('status').filter({ hasText: '此浏览器不支持朗读。' }).count()).toBe(1)
    await page.getByRole('button', { name: '关闭', exact: true }).click()
    await page.getByRole('button', { name: '下一页' }).click()
    await expect
      .poll(() => page.getByRole('button', { name: '朗读', exact: true }).getAttribute('aria-expanded'))
      .toBe('false')
    await page.context().close()
  }, 60_000)
})
