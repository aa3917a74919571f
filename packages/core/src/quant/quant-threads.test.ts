import { describe, expect, it } from 'vitest'
import { seededRandom } from '@dialogpt/data'
import { nodeQuantWorker } from '../node/quant-worker'
import { QuantMemory, quantMemory, setQuantThreads } from './quant-memory'
import { QuantizedMatrix } from './quantized-matrix'

describe('the quantized kernels on worker threads', () => {
  it.each(['q8', 'f16'] as const)('%s: two and three threads give exactly the one-thread products (each output is computed by the same code)', (dtype) => {
    const random = seededRandom(3)
    const [out, inF, rows] = [700, 96, 3]
    const w = Float32Array.from({ length: out * inF }, () => random() - 0.5)
    const x = Float32Array.from({ length: rows * inF }, () => random() * 4 - 2)
    const bias = Float32Array.from({ length: out }, () => random())
    setQuantThreads({ threads: 1 })
    const one = QuantizedMatrix.quantize(w, { out, in: inF }, 'out-in', dtype, 'w')
    const expected = one.multiply(x, rows, bias)
    expect(quantMemory().threads).toBe(1)
    one.dispose()
    for (const threads of [2, 3]) {
      setQuantThreads({ threads, spawn: nodeQuantWorker })
      const memory = quantMemory()
      expect(memory.threads).toBe(threads)
      const m = QuantizedMatrix.quantize(w, { out, in: inF }, 'out-in', dtype, 'w')
      for (let repeat = 0; repeat < 20; repeat++) expect(m.multiply(x, rows, bias)).toEqual(expected)
      m.dispose()
    }
    setQuantThreads({ threads: 1 })
    expect(quantMemory().threads).toBe(1)
  })

  it('falls back to one thread without a way to start workers', () => {
    const memory = new QuantMemory({ threads: 4 })
    expect(memory.threads).toBe(1)
  })
})
