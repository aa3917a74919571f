import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { parseCommentLine, parseCommentRow } from './comment'
import { scanValues } from './scan-comment'

/** The scanned fields as an object (absent ones left out), or null when the scanner declines the line. */
function scanFields(line: string, fields: readonly string[]): Record<string, unknown> | null {
  const values: unknown[] = []
  if (!scanValues(line, fields, values)) return null
  return Object.fromEntries(fields.flatMap((f, k) => (values[k] === undefined ? [] : [[f, values[k]]])))
}

/** What parsing gives with JSON.parse of the whole row: the reference. */
const viaJsonParse = parseCommentRow

const sample = JSON.stringify({
  subreddit: 'AskReddit',
  author_flair_css_class: null,
  created_utc: '1136074029',
  score: -3,
  ups: 1.5e2,
  body: 'He said "hi"\n\tthen \\ left \u00e9 \ud83d\ude00 /done',
  link_id: 't3_22569',
  nested: { a: [1, { b: [] }, 'x', true, false, null], c: {} },
  edited: false,
  author: 'someone',
  parent_id: 't1_c2715',
  id: 'c2716',
})

/** A row as the 2005-2006 dumps have them: flat, keys in any order, wanted fields among others. */
const flatSample = JSON.stringify({
  controversiality: 0,
  body: 'A "quoted" word, a \\ and \u00e9',
  subreddit_id: 't5_6',
  link_id: 't3_17863',
  stickied: false,
  subreddit: 'reddit.com',
  score: 2,
  ups: -1.5e-3,
  author_flair_css_class: null,
  created_utc: 1134365188,
  author: 'frjo',
  id: 'c13r0',
  edited: 'x\\"y',
  parent_id: 't3_17863',
  gilded: 0,
})

describe('scanFields / parseCommentLine', () => {
  it('gives what JSON.parse gives, escapes, nesting, numbers as strings and repeated keys included', () => {
    // the scanner itself reads the row (it does not just hand it to JSON.parse)
    expect(scanFields(sample, ['id', 'score', 'created_utc', 'author_flair_css_class', 'nested'])).toEqual({ id: 'c2716', score: -3, created_utc: '1136074029', author_flair_css_class: null, nested: { a: [1, { b: [] }, 'x', true, false, null], c: {} } })
    expect(parseCommentLine(sample)).toEqual(viaJsonParse(sample))
    const flat = JSON.parse(flatSample) as Record<string, unknown>
    expect(scanFields(flatSample, ['id', 'body', 'ups', 'edited', 'absent'])).toEqual({ id: flat.id, body: flat.body, ups: flat.ups, edited: flat.edited })
    expect(parseCommentLine(flatSample)).toEqual(viaJsonParse(flatSample))
    expect((parseCommentLine(sample) as { comment: { body: string } }).comment.body).toBe('He said "hi"\n\tthen \\ left é 😀 /done')
    const repeated = '{"id":"a","parent_id":"t3_x","link_id":"t3_x","body":"one two","id":"b"}'
    expect(parseCommentLine(repeated)).toEqual(viaJsonParse(repeated))
    expect(scanFields(repeated, ['id'])).toEqual({ id: 'b' })
    const spaced = ' \t{ "id" : "a" ,\r\n "parent_id":"t3_x", "link_id" :"t3_x","body":"one two", "score" : 1e2 } \n'
    expect(parseCommentLine(spaced)).toEqual(viaJsonParse(spaced))
  })

  it('hands anything it is not sure of to JSON.parse: same result, same error message', () => {
    const lines = [
      '',
      '[1, 2]',
      '"text"',
      '{"id": 5, "parent_id": "t3_x", "link_id": "t3_x", "body": "a b"}',
      '{"i\\u0064": "a", "parent_id": "t3_x", "link_id": "t3_x", "body": "a b"}',
      '{"id": "a", "parent_id": "t3_x", "link_id": "t3_x", "body": "a b"} trailing',
      '{"id": "a", "body": "raw\ttab"}',
      '{"id": "a", "x": 01}',
      '{"id": "a", "x": 1.}',
      '{"id": "a", "x": -}',
      '{"id": "a", "x": tru}',
      '{"id": "a", "x": [1,]}',
      '{"id": "a", "x": {"k" 1}}',
      '{"id": "a", "x": "\\x"}',
      '{"id": "a", "x": "\\u12G4"}',
      `{"id": "a", "x": ${'['.repeat(40)}${']'.repeat(40)}}`,
      '{"id": "a",}',
      '{"id": "a"',
    ]
    for (const line of lines) expect(parseCommentLine(line), line).toEqual(viaJsonParse(line))
  })

  it('agrees with JSON.parse on 5,000 random corruptions of each of two rows (nested values; flat, as in old dumps)', () => {
    let seed = 12345
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const alphabet = '{}[]":,\\ 0123456789-+.eEtrufalsn\n\tu'
    for (let k = 0; k < 10000; k++) {
      let line = k % 2 ? sample : flatSample
      for (let edits = 1 + rand(3); edits > 0; edits--) {
        const at = rand(line.length)
        const kind = rand(3)
        if (kind === 0) line = line.slice(0, at) + line.slice(at + 1)
        else if (kind === 1) line = line.slice(0, at) + alphabet[rand(alphabet.length)]! + line.slice(at)
        else line = line.slice(0, at)
      }
      expect(parseCommentLine(line), line).toEqual(viaJsonParse(line))
    }
  })
})

describeShared('scanFields on the real Pushshift months', ['data', 'pushshift-reddit-comments-2005-12_2006-01', 'RC_2006-01.jsonl'], () => {
  it('parses every line of both months exactly as JSON.parse does', () => {
    let n = 0
    for (const month of ['RC_2005-12.jsonl', 'RC_2006-01.jsonl']) {
      for (const line of readFileSync(sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01', month), 'utf8').split('\n')) {
        if (!line) continue
        expect(parseCommentLine(line)).toEqual(viaJsonParse(line))
        expect(scanFields(line, ['id', 'body'])).not.toBeNull()
        n++
      }
    }
    expect(n).toBe(4741) // both months, as their README counts them
  })
})
