import { describe, expect, it } from 'vitest'
import { decodeSubtitles, escapeCueText, parseSubtitles, SubtitleError, toWebVtt, transcriptOf } from './subtitles.js'

describe('subtitles: SRT and WebVTT in, escaped WebVTT out', () => {
  it('reads SRT (CRLF, a BOM, comma milliseconds) and writes WebVTT', () => {
    const srt =
      '\uFEFF1\r\n00:00:01,000 --> 00:00:04,250\r\n第一行\r\n第二行\r\n\r\n2\r\n01:02:03,004 --> 01:02:05,000\r\n<i>斜体</i>\r\n'
    const cues = parseSubtitles(srt)
    expect(cues).toEqual([
      { start: 1, end: 4.25, text: '第一行\n第二行' },
      { start: 3723.004, end: 3725, text: '<i>斜体</i>' },
    ])
    expect(toWebVtt(cues)).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:04.250\n第一行\n第二行\n\n01:02:03.004 --> 01:02:05.000\n<i>斜体</i>\n',
    )
  })

  it('reads WebVTT with a header, NOTE and STYLE blocks, cue ids, settings and mm:ss times', () => {
    const vtt =
      'WEBVTT - 讲座\n\nNOTE 一条注释\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.500 --> 00:03.000 align:start\nA &amp; B &lt;3\n'
    expect(parseSubtitles(vtt)).toEqual([{ start: 1.5, end: 3, text: 'A &amp; B &lt;3' }])
  })

  it('markup other than b/i/u comes out inert, as text', () => {
    expect(escapeCueText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(escapeCueText('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;')
    expect(escapeCueText('<b>粗</b> <c.red>色</c>')).toBe('<b>粗</b> &lt;c.red&gt;色&lt;/c&gt;')
    expect(escapeCueText('<i onclick=x>')).toBe('&lt;i onclick=x&gt;')
    const vtt = toWebVtt(parseSubtitles('1\n00:00:00,000 --> 00:00:01,000\n--> <script>x</script>\n'))
    expect(vtt).not.toMatch(/<script/)
    // A cue's text never carries an arrow that would read as a timing line.
    expect(vtt.split('\n').filter((l) => l.includes('-->'))).toHaveLength(1)
  })

  it('broken timestamps are refused with the line they are on', () => {
    const bad = [
      ['1\n00:00:01 --> 00:00:02,000\nx\n', /line 2: broken timestamp/],
      ['1\n00:00:61,000 --> 00:01:02,000\nx\n', /line 2: broken timestamp/],
      ['1\n00:00:01,000 --> 00:00:02,00\nx\n', /line 2: broken timestamp/],
      ['1\n00:00:05,000 --> 00:00:02,000\nx\n', /line 2: the cue ends before it starts/],
      ['1\njust text\nmore\n', /line 1: expected a timing line/],
      ['', /no cues/],
      ['WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n', /must begin with the line WEBVTT/],
    ] as const
    for (const [text, message] of bad) {
      expect(() => parseSubtitles(text), text).toThrow(SubtitleError)
      expect(() => parseSubtitles(text), text).toThrow(message)
    }
  })

  it('the transcript is plain text: markup dropped, entities read, lines joined', () => {
    const cues = parseSubtitles('1\n00:00:01,000 --> 00:00:02,000\n<b>宋词</b> & 元曲\n<script>x</script>\n')
    expect(transcriptOf(cues)).toEqual([{ start: 1, end: 2, text: '宋词 & 元曲 <script>x</script>' }])
  })

  it('reads UTF-8, UTF-16 with a BOM, and GBK (GB18030) files', () => {
    const text = '1\n00:00:01,000 --> 00:00:02,000\n你好，书林\n'
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    const gbk = Buffer.concat([
      Buffer.from('1\n00:00:01,000 --> 00:00:02,000\n'),
      Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xca, 0xe9, 0xc1, 0xd6]),
      Buffer.from('\n'),
    ])
    for (const bytes of [Buffer.from(text), utf16, gbk])
      expect(parseSubtitles(decodeSubtitles(bytes))[0]!.text).toBe('你好，书林')
  })
})
