import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerWasmKernels } from '../kernels/wasm'
import { useBackend } from '../testing/tiny'
import { gpt2Config } from './config'
import { disposeCache, GPT2 } from './gpt2'
import { kernelsFor, registeredKernels, setKernelEnabled, type OpName } from './kernel-registry'
import { attention, gatherRows, geluNew, layerNorm, linear, tiedHead } from './ops'
import { QuantizedMatrix } from '../quant/quantized-matrix'

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)
const random = (shape: number[], seed: number, scale = 1) => tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale))

/** Runs `op` with its registered kernel and with the plain composite (the kernel turned off), in the same conditions. */
function both<T extends tf.Tensor>(op: OpName, run: () => T): [Float32Array, Float32Array] {
  // The ops leave their intermediates to the caller's tidy, as inside the model.
  const fast = tf.tidy(run)
  setKernelEnabled(op, false)
  const plain = tf.tidy(run)
  setKernelEnabled(op, true)
  const out: [Float32Array, Float32Array] = [fast.dataSync() as Float32Array, plain.dataSync() as Float32Array]
  tf.dispose([fast, plain])
  return out
}

/** Every op a kernel set may implement, with inputs in the shapes where the kernels take over (decode-sized rows, one long prompt). */
const cases: Record<OpName, () => [Float32Array, Float32Array]> = {
  linear: () => {
    const [x, w, b] = [random([5, 48], 1), random([48, 96], 2, 0.1), random([96], 3)]
    const out = both('linear', () => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D))
    tf.dispose([x, w, b])
    return out
  },
  layerNorm: () => {
    const [x, g, b] = [random([5, 48], 4, 4), random([48], 5, 0.1), random([48], 6, 0.1)]
    const gain = tf.add(g, 1) as tf.Tensor1D
    const out = both('layerNorm', () => layerNorm(x as tf.Tensor2D, gain, b as tf.Tensor1D, 1e-5))
    tf.dispose([x, g, b, gain])
    return out
  },
  geluNew: () => {
    const x = random([5, 48], 7, 3)
    const out = both('geluNew', () => geluNew(x as tf.Tensor2D))
    x.dispose()
    return out
  },
  attention: () => {
    const [q, k, v] = [random([1, 2, 100, 8], 8), random([1, 2, 100, 8], 9), random([1, 2, 100, 8], 10)]
    const bias = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([100, 100]), -1, 0)), -1e9), [1, 1, 100, 100])) as tf.Tensor4D
    const out = both('attention', () => attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, bias, 1 / Math.sqrt(8)))
    tf.dispose([q, k, v, bias])
    return out
  },
  tiedHead: () => {
    const [h, wte] = [random([3, 48], 11), random([200, 48], 12, 0.1)]
    const out = both('tiedHead', () => tiedHead(h as tf.Tensor2D, wte as tf.Tensor2D))
    kernelsFor()?.release?.([wte]) // what GPT2.dispose does for its parameters: the head cache lets go of wte
    tf.dispose([h, wte])
    return out
  },
  quantizedLinear: () => {
    const [x, w, b] = [random([5, 48], 14), random([48, 96], 15, 0.1), random([96], 16)]
    const q = QuantizedMatrix.quantize(w.dataSync() as Float32Array, { in: 48, out: 96 }, 'in-out', 'q8', 'w')
    const out = both('quantizedLinear', () => linear(x as tf.Tensor2D, q, b as tf.Tensor1D))
    q.dispose()
    tf.dispose([x, w, b])
    return out
  },
  gatherRows: () => {
    const x = random([4, 3, 5], 13)
    const out = both('gatherRows', () => gatherRows(x, [3, 0, 3, 1]))
    x.dispose()
    return out
  },
}

describe('every registered kernel against the plain composite', () => {
  beforeAll(() => registerWasmKernels())

  for (const backend of ['wasm'])
    describe(backend, () => {
      beforeAll(() => useBackend(backend))

      it('has a kernel set registered', () => expect(kernelsFor(backend)).toBeDefined())

      it.each(Object.keys(cases) as OpName[])('%s: the same values as the composite in inference (leaking nothing) and while gradients are recorded', (op) => {
        if (!registeredKernels().get(backend)?.[op]) return
        const before = tf.memory().numTensors
        const [fast, plain] = cases[op]()
        expect(maxDiff(fast, plain)).toBeLessThan(2e-5)
        expect(tf.memory().numTensors).toBe(before)
        // While a gradient is recorded, kernels without gradients step aside; the rest must still agree.
        let recorded: [Float32Array, Float32Array] = [fast, plain]
        const v = tf.variable(tf.scalar(1))
        const { value, grads } = tf.variableGrads(() => {
          recorded = cases[op]()
          return tf.mul(v, 1) as tf.Scalar
        }, [v])
        tf.dispose([value, ...Object.values(grads)])
        v.dispose()
        expect(maxDiff(recorded[0], recorded[1])).toBeLessThan(2e-5)
      })
    })
})

describe('a model with the wasm kernels', () => {
  let model: GPT2
  beforeAll(async () => {
    await useBackend('wasm')
    registerWasmKernels()
    model = GPT2.random(gpt2Config('micro'), 3)
  })
  afterAll(() => model.dispose())

  const logits = (ids: number[][]) => {
    const { logits: l, cache } = model.forward(ids)
    const out = l.dataSync() as Float32Array
    l.dispose()
    disposeCache(cache)
    return out
  }

  it("gives the plain composites' logits; its head cache follows a reassigned wte and is freed with the model", () => {
    const ids = [[5, 17, 300, 42, 7]]
    const before = tf.memory().numTensors
    const fast = logits(ids)
    for (const op of Object.keys(cases) as OpName[]) setKernelEnabled(op, false)
    const plain = logits(ids)
    for (const op of Object.keys(cases) as OpName[]) setKernelEnabled(op, true)
    expect(maxDiff(fast, plain)).toBeLessThan(1e-5)
    expect(tf.memory().numTensors).toBe(before + 1) // the head cache: one transposed copy of wte
    const wte = model.parameters().get('transformer.wte.weight')!
    tf.tidy(() => wte.assign(tf.mul(wte, 1.5)))
    const after = logits(ids)
    setKernelEnabled('tiedHead', false)
    expect(maxDiff(after, logits(ids))).toBeLessThan(1e-5)
    setKernelEnabled('tiedHead', true)
    expect(tf.memory().numTensors).toBe(before + 1)
    // A disposed model leaves nothing behind: its parameters and its head cache are freed.
    const count = tf.memory().numTensors
    const scratch = GPT2.random(gpt2Config('micro'), 4)
    const out = scratch.forward([[1, 2]])
    out.logits.dispose()
    disposeCache(out.cache)
    scratch.dispose()
    expect(tf.memory().numTensors).toBe(count)
  })
})
