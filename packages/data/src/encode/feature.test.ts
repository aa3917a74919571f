import { expect, it } from 'vitest'
import { EOS as E, makeFeature, makeFeatures } from './feature'

// The worked examples of the reference notes (section 2.4): the original functions run on toy ids.
it('A: later turns are trained on their tokens and the eos after them; turn 1 never', () => {
  const f = makeFeature([[1, 2, 3], [4, 5], [6]], [0, 1, 1])!
  expect(f.inputIds).toEqual([1, 2, 3, E, 4, 5, E, 6])
  expect(f.labels).toEqual([-1, -1, -1, 4, 5, E, 6, E])
  expect(f.weights).toEqual([0, 0, 0, 1, 1, 1, 1, 1])
  expect(f.tokenTypeIds).toEqual([0, 0, 0, 1, 1, 1, 2, 2])
})

it('B: a zero-weight turn is not trained, and the first weight is irrelevant', () => {
  expect(makeFeature([[1, 2, 3], [4, 5], [6]], [1, 0, 1])!.labels).toEqual([-1, -1, -1, -1, -1, -1, 6, E])
})

it('C: trailing untrained positions are trimmed, then padded to a multiple of 8', () => {
  const f = makeFeature([[1, 2, 3], [4, 5], [6, 7]], [1, 1, 0])!
  expect(f.inputIds).toEqual([1, 2, 3, E, 4, 5, 0, 0])
  expect(f.labels).toEqual([-1, -1, -1, 4, 5, E, -1, -1])
  expect(f.tokenTypeIds).toEqual([0, 0, 0, 1, 1, 1, 0, 0])
  expect(f.inputLength).toBe(8)
})

it('D: nothing to learn gives no feature', () => {
  expect(makeFeature([[1, 2], [3]], [1, 0])).toBeNull()
})

it('E: windows of a long session (max length 6)', () => {
  const fs = makeFeatures([[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]], [1, 1, 1, 1], 6)
  expect(fs.map((f) => [f.inputIds, f.labels])).toEqual([
    [[1, 2, 3, E, 4, 5, 0, 0], [-1, -1, -1, 4, 5, E, -1, -1]],
    [[4, 5, E, 6, 7, 8, 9, 0], [-1, -1, 6, 7, 8, 9, E, -1]],
    [[6, 7, 8, 9, E, 10, 0, 0], [-1, -1, -1, -1, 10, E, -1, -1]],
  ])
})

it('F: a turn longer than the window is dropped and the session restarts after it (max length 3)', () => {
  const fs = makeFeatures([[1, 2], [3], [4, 5, 6, 7], [8], [9]], [1, 1, 1, 1, 1], 3)
  expect(fs.map((f) => [f.inputIds, f.labels])).toEqual([
    [[1, 2, E, 3, 0, 0, 0, 0], [-1, -1, 3, E, -1, -1, -1, -1]],
    [[8, E, 9, 0, 0, 0, 0, 0], [-1, 9, E, -1, -1, -1, -1, -1]],
  ])
})
