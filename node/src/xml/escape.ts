/**
 * @module xml/escape
 * Text for XML 1.0 documents we write (OAI-PMH, OPDS): markup characters escaped, and the
 * characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/FFFF) dropped — a
 * catalogue record pasted from a word processor must not make a harvester reject the page.
 */

// eslint-disable-next-line no-control-regex
const illegal =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

export function xmlText(s: string | number): string {
  return String(s).replace(illegal, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function xmlAttr(s: string | number): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}

/** `<name a="…">text</name>`, or `<name a="…"/>` without text. Attributes with undefined values are left out. */
export function el(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  text?: string | number,
): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('')
  return text === undefined || text === '' ? `<${name}${a}/>` : `<${name}${a}>${xmlText(text)}</${name}>`
}
