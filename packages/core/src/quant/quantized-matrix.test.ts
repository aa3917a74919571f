import { describe, expect, it } from 'vitest'
import { seededRandom } from '@dialogpt/data'
import { quantMemory } from './quant-memory'
import { Q8_BLOCK, QuantizedMatrix, type QuantDType } from './quantized-matrix'
import { QuantizationError } from './quantization-error'

type Rng = () => number

function gaussian(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  return out
}

/**
 * Checks the SIMD product against a float64 product of the dequantized matrix: each output within
 * 1e-5 of Σ|w·x| (the size an f32 accumulation's rounding is relative to; under cancellation no
 * f32 sum can promise 1e-5 of the result itself) and, where the result is not cancelled away,
 * within 1e-5 of it. Returns the largest relative error seen.
 */
function expectMatchesFloat64(m: QuantizedMatrix, x: Float32Array, rows: number, bias?: Float32Array): number {
  const y = m.multiply(x, rows, bias)
  const w = m.dequantizeRows()
  const { inFeatures: inF, outFeatures: out } = m
  let worst = 0
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < out; o++) {
      let ref = bias ? bias[o]! : 0
      let size = Math.abs(ref)
      for (let i = 0; i < inF; i++) {
        const p = w[o * inF + i]! * x[r * inF + i]!
        ref += p
        size += Math.abs(p)
      }
      const err = Math.abs(y[r * out + o]! - ref)
      expect(Number.isFinite(y[r * out + o]!)).toBe(true)
      expect(err).toBeLessThanOrEqual(1e-5 * size + 1e-30)
      if (Math.abs(ref) > 0.1 * size) {
        expect(err).toBeLessThanOrEqual(1e-5 * Math.abs(ref))
        worst = Math.max(worst, err / Math.abs(ref))
      }
    }
  return worst
}

describe.each<QuantDType>(['q8', 'f16'])('QuantizedMatrix %s', (dtype) => {
  it('multiplies like a float64 product of its dequantized weights, on random inputs of GPT-2-like and odd sizes', () => {
    const rng = seededRandom(7)
    for (const [out, inF, rows] of [
      [96, 64, 1],
      [48, 128, 3],
      [7, 45, 5],
      [33, 1, 2],
      [200, 96, 10],
    ] as const) {
      const m = QuantizedMatrix.quantize(gaussian(rng, inF * out, 0.02), { out, in: inF }, 'in-out', dtype, 'w')
      expectMatchesFloat64(m, gaussian(rng, rows * inF), rows, gaussian(rng, out))
      m.dispose()
    }
  })

  it('stays within 1e-5 on adversarial inputs: all-equal, zeros, huge and tiny scales, peaky activations', () => {
    const rng = seededRandom(8)
    const inF = 96
    const out = 8
    const cases: [string, Float32Array, Float32Array][] = [
      ['all-equal weights and activations', new Float32Array(inF * out).fill(0.37), new Float32Array(inF).fill(-1.25)],
      ['zero weights', new Float32Array(inF * out), gaussian(rng, inF)],
      ['zero activations', gaussian(rng, inF * out), new Float32Array(inF)],
      ['huge weights', gaussian(rng, inF * out, dtype === 'q8' ? 1e6 : 1e4), gaussian(rng, inF)],
      ['tiny weights', gaussian(rng, inF * out, 1e-4), gaussian(rng, inF)],
      ['huge activations', gaussian(rng, inF * out), gaussian(rng, inF, 1e30)],
      ['tiny activations', gaussian(rng, inF * out), gaussian(rng, inF, 1e-30)],
      ['one outlier per block', gaussian(rng, inF * out), gaussian(rng, inF).map((v, i) => (i % Q8_BLOCK === 5 ? 3000 : v))],
      ['alternating signs', Float32Array.from({ length: inF * out }, (_, i) => (i % 2 ? 1 : -1) * (1 + (i % 5))), Float32Array.from({ length: inF }, (_, i) => 1 + i / 1000)],
    ]
    for (const [what, w, x] of cases) {
      const m = QuantizedMatrix.quantize(w, { out, in: inF }, 'out-in', dtype, what)
      try {
        expectMatchesFloat64(m, x, 1)
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`)
      } finally {
        m.dispose()
      }
    }
  })

  it('keeps the weights it can represent: dequantizing gives back each weight within half a step', () => {
    const rng = seededRandom(9)
    const w = gaussian(rng, 64 * 40, 0.05)
    const m = QuantizedMatrix.quantize(w, { out: 40, in: 64 }, 'out-in', dtype, 'w')
    const back = m.dequantizeRows()
    for (let o = 0; o < 40; o++)
      for (let b = 0; b < 2; b++) {
        const block = Array.from(w.subarray(o * 64 + b * 32, o * 64 + b * 32 + 32))
        const step = dtype === 'q8' ? Math.max(...block.map(Math.abs)) / 127 : 0
        block.forEach((v, i) => {
          const got = back[o * 64 + b * 32 + i]!
          expect(Math.abs(got - v)).toBeLessThanOrEqual(dtype === 'q8' ? 0.5 * step * 1.002 + 1e-9 : Math.abs(v) * 2 ** -11 + 6e-8)
        })
      }
    m.dispose()
  })

  it('refuses weights that are not finite, naming the tensor and the place', () => {
    const w = new Float32Array(64).fill(0.5)
    w[37] = Number.NaN
    const used = quantMemory().usedBytes
    expect(() => QuantizedMatrix.quantize(w, { out: 2, in: 32 }, 'in-out', dtype, 'transformer.h.3.mlp.c_fc.weight')).toThrowError(/transformer\.h\.3\.mlp\.c_fc\.weight: weight \[18, 1\] is NaN/)
    expect(quantMemory().usedBytes).toBe(used)
  })
})

describe('QuantizedMatrix memory', () => {
  it('frees what it takes, and a freed matrix cannot be used', () => {
    const before = quantMemory().usedBytes
    const m = QuantizedMatrix.quantize(new Float32Array(64 * 10).fill(1), { out: 10, in: 64 }, 'out-in', 'q8', 'w')
    expect(quantMemory().usedBytes - before).toBe(m.byteLength)
    expect(m.byteLength).toBe(10 * 64 + 10 * 2 * 4)
    m.dispose()
    expect(quantMemory().usedBytes).toBe(before)
    expect(() => m.multiply(new Float32Array(64), 1)).toThrowError(/disposed/)
  })

  it('reads a q8 checkpoint part and refuses values outside int8 or bad scales', () => {
    const q = Array.from({ length: 2 * 40 }, (_, i) => (i % 255) - 127)
    const scales = new Float32Array(2 * 2).fill(0.25)
    const m = QuantizedMatrix.fromQ8(q, scales, { out: 2, in: 40 }, 'h.0')
    expect(Array.from(m.q8Parts().q)).toEqual(q)
    expect(m.dequantizeRows([1])[3]).toBe(q[43]! * 0.25)
    m.dispose()
    expect(() => QuantizedMatrix.fromQ8(q.map((v, i) => (i === 5 ? 128 : v)), scales, { out: 2, in: 40 }, 'h.0')).toThrowError(QuantizationError)
    expect(() => QuantizedMatrix.fromQ8(q, scales.map(() => Number.NaN), { out: 2, in: 40 }, 'h.0')).toThrowError(/h\.0\.q8_scales: scale 0 is NaN/)
  })
})
