import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { useBackend } from '../testing/tiny'
import { gatherRows } from './gather-rows'

for (const backend of ['wasm', 'cpu']) {
  describe(`gatherRows on ${backend}`, () => {
    it('equals tf.gather on the first axis, with repeated and reordered rows, for float32 and int32', async () => {
      await useBackend(backend)
      const before = tf.memory().numTensors
      const x = tf.randomNormal([5, 3, 4, 2], 0, 1, 'float32', 7)
      const ints = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32')
      const rows = [4, 4, 0, 2, 1, 3]
      const got = gatherRows(x, rows)
      const want = tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')))
      expect(got.shape).toEqual([6, 3, 4, 2])
      expect(Array.from(await got.data())).toEqual(Array.from(await want.data()))
      const gotInts = gatherRows(ints, [2, 0])
      expect(gotInts.dtype).toBe('int32')
      expect(await gotInts.array()).toEqual([[5, 6], [1, 2]])
      tf.dispose([x, ints, got, want, gotInts])
      expect(tf.memory().numTensors).toBe(before)
    })

    it('refuses a row outside the first axis, naming it', async () => {
      await useBackend(backend)
      const x = tf.zeros([2, 3])
      expect(() => gatherRows(x, [0, 2])).toThrow(/row 2 is outside \[0, 2\)/)
      expect(() => gatherRows(x, [-1])).toThrow(/row -1/)
      x.dispose()
    })
  })
}
