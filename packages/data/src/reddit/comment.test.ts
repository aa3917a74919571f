import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { commentFromRow, parseCommentLine, quickLinkId } from './comment'

it('strips a one-digit type prefix (t1_, t3_) from ids, and nothing else', () => {
  const ids = (id: string) => {
    const r = commentFromRow({ id, parent_id: id, link_id: id, body: 'a b' })
    return 'comment' in r ? [r.comment.id, r.comment.parentId, r.comment.linkId] : r.error
  }
  for (const [id, want] of [['t1_abc', 'abc'], ['t3_x', 'x'], ['t1_', ''], ['t12_a', 't12_a'], ['tx_a', 'tx_a'], ['T1_a', 'T1_a'], ['c13r0', 'c13r0'], ['t', 't'], ['', '']]) expect(ids(id!), id).toEqual([want, want, want])
})

it('names the field that is missing or not a string', () => {
  expect(commentFromRow({ id: 'a', parent_id: 't3_x', link_id: 't3_x' })).toEqual({ error: "field 'body' is missing" })
  expect(commentFromRow({ id: 5, parent_id: 't3_x', link_id: 't3_x', body: 'a b' })).toEqual({ error: "field 'id' is not a string (5)" })
  expect(commentFromRow([1])).toEqual({ error: 'not a JSON object' })
})

describe('quickLinkId (how a shard skips other shards\' lines unparsed)', () => {
  it('agrees with the parser, or abstains', () => {
    const lines = [
      '{"id":"a","parent_id":"t3_x","link_id":"t3_x","body":"hi there"}',
      '{"id":"a","parent_id":"t3_x","link_id" : "t3_y","body":"spaces"}',
      '{"id":"a","parent_id":"t3_x","link_id":"t3_x","body":"quoting \\"link_id\\":\\"t3_z\\" in a body"}',
      '{"id":"a","link_id":"t3_x","parent_id":"t3_x","body":"b","nested":{"link_id":"t3_q"}}',
      '{"id":"a","parent_id":"t3_x","link_id":"t3_x","link_id":"t3_w","body":"twice"}',
      '{"id":"a","parent_id":"t3_x","link_id":"t3_\\u0078","body":"escaped"}',
      '{"id":"a","parent_id":"t3_x","link_id":42,"body":"not a string"}',
    ]
    const quick = lines.map(quickLinkId)
    expect(quick).toEqual(['x', 'y', 'x', undefined, undefined, undefined, undefined])
    lines.forEach((line, i) => {
      const parsed = parseCommentLine(line)
      if (quick[i] !== undefined) expect('comment' in parsed && parsed.comment.linkId).toBe(quick[i])
    })
  })
})

describeShared('quickLinkId on the real Pushshift months', ['data', 'pushshift-reddit-comments-2005-12_2006-01'], () => {
  it('names the thread the parser gives for every line it answers, and answers nearly all', () => {
    let answered = 0
    let lines = 0
    for (const month of ['RC_2005-12', 'RC_2006-01'])
      for (const line of readFileSync(sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01', `${month}.jsonl`), 'utf8').split('\n').filter(Boolean)) {
        lines++
        const quick = quickLinkId(line)
        if (quick === undefined) continue
        answered++
        const parsed = parseCommentLine(line)
        expect('comment' in parsed && parsed.comment.linkId).toBe(quick)
      }
    expect(answered / lines).toBeGreaterThan(0.99)
  })
})
