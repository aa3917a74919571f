import { expect, it } from 'vitest'
import { commentFromRow } from './comment'

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
