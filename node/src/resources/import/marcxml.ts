/**
 * @module resources/import/marcxml
 * One MARCXML `<record>` (MARC 21 slim schema, any namespace prefix) as a {@link MarcRecord},
 * read with fast-xml-parser after checking the XML is well-formed.
 *
 * marcjs's MARCXML parser, used before, scans the text for fixed offsets and trusts them: a
 * record whose `</leader>` or `</datafield>` is missing made it start over from the first byte
 * for ever, adding fields until the process ran out of memory (found by fuzzing the import; one
 * mistyped byte in a catalogue export was enough).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { MarcFormatError, type MarcField, type MarcRecord } from './iso2709.js'

type XmlNode = { [name: string]: XmlNode[] | string | number | undefined } & { ':@'?: Record<string, string> }

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
})

const nameOf = (n: XmlNode): string => Object.keys(n).find((k) => k !== ':@') ?? ''
const childrenOf = (n: XmlNode): XmlNode[] => {
  const c = n[nameOf(n)]
  return Array.isArray(c) ? c : []
}
const textOf = (nodes: XmlNode[]): string =>
  nodes.map((c) => (c['#text'] === undefined ? '' : String(c['#text']))).join('')
const tagRe = /^[0-9A-Za-z]{3}$/

/** Parses one `<record>…</record>`. @throws MarcFormatError saying what is wrong with it. */
export function parseMarcxmlRecord(xml: string): MarcRecord {
  // Entities are declared in a DTD; a record has no business declaring any (entity expansion).
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) throw new MarcFormatError('a record may not declare a DTD or entities')
  const valid = XMLValidator.validate(xml)
  if (valid !== true)
    throw new MarcFormatError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line} of the record)`)
  const record = (parser.parse(xml) as XmlNode[]).find((n) => nameOf(n) === 'record')
  if (!record) throw new MarcFormatError('no <record> element')
  let leader = ''
  const fields: MarcField[] = []
  for (const node of childrenOf(record)) {
    const name = nameOf(node)
    const attrs = node[':@'] ?? {}
    if (name === 'leader') leader = textOf(childrenOf(node))
    else if (name === 'controlfield' || name === 'datafield') {
      const tag = attrs.tag ?? ''
      if (!tagRe.test(tag)) throw new MarcFormatError(`bad tag ${JSON.stringify(tag.slice(0, 10))} in a ${name}`)
      if (name === 'controlfield') fields.push({ tag, value: textOf(childrenOf(node)) })
      else {
        const subfields = childrenOf(node)
          .filter((c) => nameOf(c) === 'subfield')
          .map((c): [string, string] => [c[':@']?.code ?? '', textOf(childrenOf(c))])
        fields.push({ tag, ind: `${attrs.ind1 ?? ' '}${attrs.ind2 ?? ' '}`.slice(0, 2), subfields })
      }
    }
  }
  if (!fields.length) throw new MarcFormatError('no fields')
  return { leader, fields }
}
