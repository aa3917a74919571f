import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { splitLines } from '../text/lines'
import { dstcCleanStr } from './clean-str'

it('reproduces the upstream README example', () => {
  expect(dstcCleanStr(" I don't know:). how about this?https://github.com")).toBe("i do n't know :) . how about this ? __url__")
})

it('handles the contractions and markdown links', () => {
  expect(dstcCleanStr("I won't, you can't; he'll")).toBe("i will n't , you can n't he 'll")
  expect(dstcCleanStr('see [this page] ( http://x.org/a ) now')).toBe('see this page now')
  // The word containing http is cut from there to its end, closing parenthesis included.
  expect(dstcCleanStr('see [this page] (http://x.org/a) now')).toBe('see this page ( __url__ now')
})

describeShared('dstcCleanStr against DialoGPT clean_str on DSTC-7 text', ['metrics-golden', 'dstc7'], () => {
  const read = (p: string) => splitLines(readFileSync(sharedPath('metrics-golden', 'dstc7', p), 'utf8'))
  const pairs: [string, string][] = [
    ...['Human', 'TeamB', 'Baseline', 'Constant'].map((s): [string, string] => [`raw/hyp.${s}.txt`, `clean/hyp.${s}.txt`]),
    ...[0, 1, 2, 3, 4].map((i): [string, string] => [`raw/ref5/ref${i}.txt`, `clean/ref5/ref${i}.txt`]),
  ]
  it.each(pairs)('%s cleans to %s line for line', (raw, clean) => {
    const input = read(raw)
    const expected = read(clean)
    expect(input.length).toBe(expected.length)
    const mismatches = input
      .map((line, i) => ({ line: i + 1, input: line, ours: dstcCleanStr(line), theirs: expected[i] }))
      .filter((r) => r.ours !== r.theirs)
    expect(mismatches.slice(0, 5)).toEqual([])
  })
})
