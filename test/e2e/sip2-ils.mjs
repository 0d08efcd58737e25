/**
 * A SIP2 server (the ILS side, "ACS") written for the tests from the 3M SIP2 2.00 specification,
 * independently of the node's client: it checks every request's checksum as the spec defines it
 * (answering 96 to a damaged one), accepts 93 only with its login, answers 63 with 64 and 23 with
 * 24, resends its last answer on 97, and misbehaves on purpose for some patrons.
 *
 *   node test/e2e/sip2-ils.mjs [--tls KEY.pem CERT.pem]
 * prints `{"port":N}` once listening, then one JSON line per event (connection, login, request).
 */
import net from 'node:net'
import tls from 'node:tls'
import { readFileSync } from 'node:fs'

const LOGIN = { user: 'shulin', password: 'sip-secret' }
const INSTITUTION = 'CNTEST'

// Patrons: card → what the ILS holds. Misbehaviour is keyed by card so one server serves every case.
const patrons = {
  23000001: { pin: '1234', name: '张小明' },
  23000002: { pin: '2222', name: '李挂失', status: 'Y   Y         ', message: '借阅证已挂失，请到服务台办理' },
  23000003: { pin: '3333', name: '慢读者', delayMs: 4000 },
  23000004: { pin: '4444', name: '乱码', garbage: true },
  23000005: { pin: '5555', name: '错校验', badChecksum: 'always' },
  23000006: { pin: '6666', name: '一次错', badChecksum: 'once' },
  23000007: { pin: '7777', name: '有欠款', status: '          Y   ', fee: '12.50' },
}

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n')

/** Spec: sum of the characters up to and including "AZ", negated, low 16 bits, four hex digits. */
function checksum(text) {
  let sum = 0
  for (const c of Buffer.from(text, 'utf8')) sum = (sum + c) & 0xffff
  return ((0x10000 - sum) & 0xffff).toString(16).toUpperCase().padStart(4, '0')
}
if (checksum('990 402.00AY1AZ') !== 'FCB4') throw new Error('checksum differs from the spec example')

function now18() {
  const d = new Date()
  const p = (n, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}    ${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`
}

/** Splits "…|AYnAZxxxx" off a request; returns null when the checksum is wrong. */
function verify(line) {
  const m = /AY(\d)AZ([0-9A-F]{4})$/.exec(line)
  if (!m) return { body: line, seq: null }
  const upTo = line.slice(0, line.length - 4)
  if (checksum(upTo) !== m[2]) return null
  return { body: line.slice(0, m.index), seq: m[1] }
}

function fields(text) {
  const out = {}
  for (const part of text.split('|')) if (part.length >= 2) out[part.slice(0, 2)] = part.slice(2)
  return out
}

function seal(body, seq, corrupt = false) {
  if (seq === null) return body + '\r'
  const head = `${body}AY${seq}AZ`
  let sum = checksum(head)
  if (corrupt) sum = sum === '0000' ? '0001' : '0000'
  return `${head}${sum}\r`
}

let connections = 0
function serve(socket) {
  const id = ++connections
  emit({ event: 'connection', id })
  socket.setEncoding('utf8')
  let buffer = ''
  let loggedIn = false
  let last = null
  const corruptedOnce = new Set()
  socket.on('error', () => {})
  socket.on('data', (chunk) => {
    buffer += chunk
    for (let end; (end = buffer.indexOf('\r')) >= 0;) {
      const line = buffer.slice(0, end).replace(/^\n/, '')
      buffer = buffer.slice(end + 1)
      handle(line)
    }
  })
  const send = (text) => {
    last = text
    socket.write(text, 'utf8')
  }
  function handle(line) {
    if (line.startsWith('97')) {
      emit({ event: 'resend', id })
      if (last) socket.write(last, 'utf8')
      return
    }
    const v = verify(line)
    if (!v) {
      emit({ event: 'bad-checksum', id })
      socket.write('96\r', 'utf8')
      return
    }
    const cmd = v.body.slice(0, 2)
    if (cmd === '93') {
      // 93: UID algorithm, PWD algorithm (1 char each), then CN, CO, optional CP.
      const f = fields(v.body.slice(4))
      loggedIn = f.CN === LOGIN.user && f.CO === LOGIN.password
      emit({ event: 'login', id, ok: loggedIn, location: f.CP ?? null })
      send(seal(`94${loggedIn ? 1 : 0}`, v.seq))
      return
    }
    if (!loggedIn) {
      emit({ event: 'refused', id, cmd })
      socket.destroy()
      return
    }
    if (cmd === '63' || cmd === '23') {
      // 63: language(3) date(18) summary(10); 23: language(3) date(18); then AO AA AC AD.
      const fixed = cmd === '63' ? 31 : 21
      const date = v.body.slice(5, 23)
      if (!/^\d{8} {4}\d{6}$/.test(date) && !/^\d{8}[A-Z ]{4}\d{6}$/.test(date)) {
        emit({ event: 'bad-date', id, date })
      }
      const f = fields(v.body.slice(2 + fixed))
      const card = f.AA ?? ''
      const p = patrons[card]
      emit({ event: 'patron', id, cmd, card, institution: f.AO ?? null, seq: v.seq })
      const valid = Boolean(p) && f.AO === INSTITUTION
      const pinOk = valid && f.AD === p.pin
      if (p?.garbage) return void send('<html>502 Bad Gateway</html>\r')
      const status = (p?.status ?? ' '.repeat(14)).padEnd(14).slice(0, 14)
      const common =
        `AO${INSTITUTION}|AA${card}|` +
        (valid ? `AE${p.name}|` : '') +
        `BL${valid ? 'Y' : 'N'}|CQ${pinOk ? 'Y' : 'N'}|` +
        (p?.fee ? `BHCNY|BV${p.fee}|` : '') +
        (p?.message ? `AF${p.message}|` : '')
      const body =
        cmd === '63' ? `64${status}000${now18()}0000000000000000000000${common}` : `24${status}000${now18()}${common}`
      let corrupt = false
      if (p?.badChecksum === 'always') corrupt = true
      if (p?.badChecksum === 'once' && !corruptedOnce.has(card)) {
        corruptedOnce.add(card)
        corrupt = true
      }
      const frame = seal(body, v.seq, corrupt)
      // The resend (97) carries a good checksum unless this patron's answers are always damaged.
      last = seal(body, v.seq, p?.badChecksum === 'always')
      if (p?.delayMs) setTimeout(() => socket.write(frame, 'utf8'), p.delayMs)
      else socket.write(frame, 'utf8')
      return
    }
    emit({ event: 'unsupported', id, cmd })
    send(seal('96', null))
  }
}

const args = process.argv.slice(2)
const server =
  args[0] === '--tls'
    ? tls.createServer({ key: readFileSync(args[1]), cert: readFileSync(args[2]) }, serve)
    : net.createServer(serve)
server.listen(0, '127.0.0.1', () => emit({ port: server.address().port }))
process.on('SIGTERM', () => process.exit(0))
