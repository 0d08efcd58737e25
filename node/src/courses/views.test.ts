import { describe, expect, it } from 'vitest'
import { withoutPaths } from './views.js'

describe("a failed lecture's reason", () => {
  it("keeps file names, not where they are on the node's disk", () => {
    expect(withoutPaths('/tmp/shulin-x/blobs/ab/abcdef: Invalid data found when processing input')).toBe(
      'abcdef: Invalid data found when processing input',
    )
    expect(withoutPaths("Error opening 'C:\\data\\blobs\\ab\\f.mp4' after 1/2 frames")).toBe(
      "Error opening 'f.mp4' after 1/2 frames",
    )
    expect(withoutPaths('over the limit: 7200 s > 3600 s')).toBe('over the limit: 7200 s > 3600 s')
  })
})
