/**
 * Reading a lecture's transcript for search: WebVTT cues (tags and entities dropped, SRT-shaped
 * commas accepted) and the second of the cue a query part falls in, across cue boundaries too.
 */
import { describe, expect, it } from 'vitest'
import { bestCueStart, foldCues, parseCues, transcriptText } from './transcript.js'

const vtt = `WEBVTT

NOTE made by hand

1
00:00:01.000 --> 00:00:04.500
<v 讲者>大家好，今天我们讲一讲</v>

2
00:00:04.500 --> 00:00:09.000 align:start
词牌与格律 &amp; <b>声调</b>

00:01:02.250 --> 00:01:05.000
蘇軾的詞豪放曠達

01:00:00,000 --> 01:00:02,000
the last cue
`

describe('transcript', () => {
  it('reads cue starts and plain text', () => {
    expect(parseCues(vtt)).toEqual([
      { start: 1, text: '大家好，今天我们讲一讲' },
      { start: 4.5, text: '词牌与格律 & 声调' },
      { start: 62.25, text: '蘇軾的詞豪放曠達' },
      { start: 3600, text: 'the last cue' },
    ])
    expect(parseCues('not a subtitle file')).toEqual([])
    expect(transcriptText(parseCues(vtt))).toBe(
      '大家好，今天我们讲一讲\n词牌与格律 & 声调\n蘇軾的詞豪放曠達\nthe last cue',
    )
  })

  it('gives the start of the cue the longest matched part begins in', () => {
    const cues = foldCues(parseCues(vtt))
    // Folded: Traditional in the file, Simplified in the query.
    expect(bestCueStart(cues, ['苏轼的词豪放'])).toBe(62.25)
    // A sentence running over two cues starts in the first.
    expect(bestCueStart(cues, ['讲一讲词牌与格律'])).toBe(1)
    expect(bestCueStart(cues, ['词', '格律声调'])).toBe(4.5)
    expect(bestCueStart(cues, ['lastcue'])).toBe(3600)
    expect(bestCueStart(cues, ['没有的话'])).toBeUndefined()
    expect(bestCueStart(foldCues([]), ['词'])).toBeUndefined()
  })
})
