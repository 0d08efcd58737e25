/**
 * Alert mails through a real SMTP server on 127.0.0.1 (the `smtp-server` package): a failed
 * backup mails the operator once with a subject naming the library and the condition, a second
 * failure does not mail again, a success mails "resolved", and the next failure mails anew; a
 * disk under `--min-free-disk` mails once however many checks see it.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signedInAdmin, startTempNode, tempDir, type Client, type TempNode } from '../testing/temp-node.js'

interface Mail {
  to: string[]
  subject: string
  body: string
}

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`) in a header, decoded; folded lines joined first. */
function decodeHeader(raw: string): string {
  return raw.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  )
}

const mails: Mail[] = []
let smtp: SMTPServer
let smtpPort: number
let work: string
let backups: string
let t: TempNode
let admin: Client

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (d: string) => (raw += d))
      stream.on('end', () => {
        const [head = '', body = ''] = raw.split(/\r?\n\r?\n/, 2)
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
        const subject = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? ''
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: decodeHeader(subject), body })
        done()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  smtpPort = (smtp.server.address() as AddressInfo).port
  work = await tempDir('shulin-alerts-')
  backups = join(work, 'backups')
  t = await startTempNode({
    name: '临安县图书馆',
    backupDir: backups,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    alertEmail: 'it@linan.example',
  })
  admin = await signedInAdmin(t)
})
afterAll(async () => {
  await t?.close()
  await new Promise<void>((resolve) => smtp.close(resolve))
  await rm(work, { recursive: true, force: true })
})

async function mailCount(n: number): Promise<void> {
  await expect.poll(() => mails.length, { timeout: 10_000 }).toBe(n)
}

/** Makes the next backup fail at its last step: a folder stands where its file goes (the node's clock is fixed). */
async function blockNextBackup(): Promise<() => Promise<void>> {
  const blocker = join(backups, `shulin-backup-${new Date(t.clock.now).toISOString().replace(/[-:.]/g, '')}.gz`)
  await mkdir(join(blocker, 'x'), { recursive: true })
  return () => rm(blocker, { recursive: true })
}

describe('alert mails', () => {
  it('mail a failed backup once, then "resolved" after a good one, then again on the next failure', async () => {
    const unblock = await blockNextBackup()
    expect((await admin.post('/api/staff/backups')).body.ok).toBe(false)
    await mailCount(1)
    expect(mails[0]!.to).toEqual(['it@linan.example'])
    expect(mails[0]!.subject).toBe('[Shulin] 临安县图书馆: backup failed / 备份失败')
    expect(mails[0]!.body).toMatch(/EISDIR|ENOTEMPTY|EEXIST/)

    expect((await admin.post('/api/staff/backups')).body.ok).toBe(false)
    // Give a second mail every chance to arrive before saying it did not.
    await new Promise((r) => setTimeout(r, 500))
    expect(mails).toHaveLength(1)
    await unblock()

    t.clock.now += 60_000
    expect((await admin.post('/api/staff/backups')).body.ok).toBe(true)
    await mailCount(2)
    expect(mails[1]!.subject).toBe('[Shulin] 临安县图书馆: resolved / 已恢复: backup failed / 备份失败')

    t.clock.now += 60_000
    const unblock2 = await blockNextBackup()
    expect((await admin.post('/api/staff/backups')).body.ok).toBe(false)
    await unblock2()
    await mailCount(3)
    expect(mails[2]!.subject).toMatch(/backup failed/)
  })

  it('mail a low disk once, however many checks see it', async () => {
    const low = await startTempNode(
      {
        name: '余杭区图书馆',
        minFreeDisk: '100%',
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        alertEmail: 'it@yuhang.example',
      },
      { alertCheckMs: 100 },
    )
    try {
      await expect.poll(() => mails.filter((m) => m.to[0] === 'it@yuhang.example').length, { timeout: 10_000 }).toBe(1)
      // Ten more checks see the same low disk.
      await new Promise((r) => setTimeout(r, 1000))
      const sent = mails.filter((m) => m.to[0] === 'it@yuhang.example')
      expect(sent).toHaveLength(1)
      expect(sent[0]!.subject).toBe('[Shulin] 余杭区图书馆: disk space low / 磁盘空间不足')
      expect(sent[0]!.body).toMatch(/--min-free-disk/)
    } finally {
      await low.close()
    }
  })

  it('mail a member cut off from its hub for longer than --alert-hub-hours, once', async () => {
    const hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' })
    const member = await startTempNode(
      {
        name: '富阳区图书馆',
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        alertEmail: 'it@fuyang.example',
        alertHubHours: 6,
      },
      { alertCheckMs: 100 },
    )
    try {
      const hubAdmin = await signedInAdmin(hub)
      const invite = await hubAdmin.post('/api/staff/federation/invites', {
        name: '富阳区图书馆',
        region: '330111',
        level: 'county',
        validHours: 1,
      })
      const memberAdmin = await signedInAdmin(member)
      expect((await memberAdmin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
      const sent = () => mails.filter((m) => m.to[0] === 'it@fuyang.example')
      // Five hours without the hub: not yet.
      await hub.close()
      member.clock.now += 5 * 3_600_000
      await new Promise((r) => setTimeout(r, 500))
      expect(sent()).toHaveLength(0)
      // Seven: one mail, however many checks follow.
      member.clock.now += 2 * 3_600_000
      await expect.poll(() => sent().length, { timeout: 10_000 }).toBe(1)
      await new Promise((r) => setTimeout(r, 500))
      expect(sent()).toHaveLength(1)
      expect(sent()[0]!.subject).toBe('[Shulin] 富阳区图书馆: hub unreachable / 连不上中心节点')
      expect(sent()[0]!.body).toMatch(/--alert-hub-hours 6/)
    } finally {
      await member.close()
      await hub.close()
    }
  }, 60_000)

  it('refuses to start with an SMTP server but nobody to mail', async () => {
    await expect(startTempNode({ smtpUrl: `smtp://127.0.0.1:${smtpPort}` })).rejects.toThrow(/--alert-email/)
  })
})
