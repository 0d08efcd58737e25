/**
 * @module styles
 * Shared look: ink blue on paper, a seal-red accent; colour pairs meet WCAG AA contrast
 * (ink #1f3a5f on paper #fbf8f1 is 11:1; muted #595959 on paper 6.6:1). Mobile first: one
 * column, touch targets of at least 44 px.
 */
import { css } from 'lit'

export const base = css`
  :host {
    /* The library's theme (set on the page from its profile) wins over the defaults. */
    --ink: var(--theme-ink, #1f3a5f);
    --paper: #fbf8f1;
    --card: #ffffff;
    --text: #1c1c1c;
    --muted: #595959;
    --line: #ddd6c8;
    --accent: var(--theme-accent, #b23a2a);
    --mark: #fde68a;
    --radius: 10px;
    font-family: var(--font-ui, system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif);
    color: var(--text);
    box-sizing: border-box;
  }
  *, *::before, *::after { box-sizing: inherit; }
  a { color: var(--ink); }
  button, input, select, textarea { font: inherit; }
  button {
    min-height: 44px; padding: 0 16px; border-radius: var(--radius); border: 1px solid var(--ink);
    background: var(--ink); color: #fff; cursor: pointer;
  }
  button.secondary { background: transparent; color: var(--ink); }
  button:disabled { opacity: 0.6; cursor: default; }
  input, select, textarea {
    min-height: 44px; padding: 8px 12px; border: 1px solid #8a8275; border-radius: var(--radius);
    background: #fff; color: var(--text); width: 100%;
  }
  :focus-visible { outline: var(--focus-width, 3px) solid var(--accent); outline-offset: 2px; }
  label { display: block; font-weight: 600; margin: 12px 0 4px; }
  .field-error { color: var(--accent); font-size: 0.9rem; margin-top: 4px; }
  .error { color: var(--accent); background: #fff4f2; border: 1px solid #f1c4bd; padding: 12px; border-radius: var(--radius); }
  .muted { color: var(--muted); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  mark { background: var(--mark); color: inherit; padding: 0 1px; }
  h1, h2, h3 { color: var(--ink); line-height: 1.3; }
`
