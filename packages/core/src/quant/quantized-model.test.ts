import * as tf from '@tensorflow/tfjs-core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors'
import { float32ToFloat16Bits } from '../checkpoint/tensor-data'
import { CheckpointError } from '../checkpoint/errors'
import { gpt2Config } from '../model/config'
import { disposeCache, GPT2 } from '../model/gpt2'
import { setKernelEnabled } from '../model/kernel-registry'
import { prepareStateDict } from '../model/weights'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { saveGPT2 } from '../pretrained/save-gpt2'
import { useBackend } from '../testing/tiny'
import { Trainer } from '../train/trainer'
import { quantMemory } from './quant-memory'
import { QuantizationError } from './quantization-error'
import { dequantizeWeight, QUANTIZATION_METADATA_KEY } from './quantized-state-dict'

const ids = [[5, 17, 300, 42, 7, 9]]

function logitsOf(model: GPT2, input = ids): Float32Array {
  const { logits, cache } = model.forward(input)
  const out = logits.dataSync() as Float32Array
  logits.dispose()
  disposeCache(cache)
  return out
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

describe.each(['wasm', 'cpu'])('a quantized GPT-2 on %s', (backend) => {
  let fp32: GPT2
  let dir: string
  beforeAll(async () => {
    await useBackend(backend)
    fp32 = GPT2.random(gpt2Config('micro'), 5)
    dir = mkdtempSync(join(tmpdir(), 'quantized-'))
  })
  afterAll(() => {
    fp32.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(['q8', 'f16'] as const)('%s: computes the network of its dequantized weights (kernel or composite alike), leaking no tensor, freeing its memory', async (dtype) => {
    const memoryBefore = quantMemory().usedBytes
    const q = GPT2.withDType(fp32.config, await fp32.weights(), new Map(), dtype)
    expect(q.dtype).toBe(dtype)
    expect(q.numParameters).toBe(fp32.numParameters)
    expect(q.weightBytes).toBeLessThan(fp32.weightBytes * (dtype === 'q8' ? 0.35 : 0.55))
    // The same network in float32 with the dequantized weights: what the quantized one must compute.
    const floats = await q.floatWeights()
    for (const [name, m] of q.quantizedMatrices()) floats.set(name, dequantizeWeight(name, m))
    const dequantized = new GPT2(fp32.config, floats)
    const before = tf.memory().numTensors
    const fast = logitsOf(q)
    setKernelEnabled('quantizedLinear', false)
    const composite = logitsOf(q)
    setKernelEnabled('quantizedLinear', true)
    expect(tf.memory().numTensors).toBe(before)
    const reference = logitsOf(dequantized)
    expect(maxDiff(fast, reference)).toBeLessThan(1e-4)
    expect(maxDiff(composite, reference)).toBeLessThan(1e-4)
    // Not the fp32 network: quantization changed the logits a little, as it must.
    const original = logitsOf(fp32)
    expect(maxDiff(fast, original)).toBeGreaterThan(0)
    expect(maxDiff(fast, original)).toBeLessThan(dtype === 'q8' ? 0.05 : 0.005)
    q.dispose()
    dequantized.dispose()
    expect(quantMemory().usedBytes).toBe(memoryBefore)
  })

  it('q8: saves as a marked checkpoint that loads as q8 without re-quantizing, and exactly as fp32 when asked', async () => {
    const q = GPT2.withDType(fp32.config, await fp32.weights(), new Map(), 'q8')
    const out = join(dir, 'q8')
    await saveGPT2(q, out)
    const { tensors, metadata } = readSafetensors(readFileSync(join(out, 'model.safetensors')))
    expect(metadata).toEqual({ format: 'dialogpt-q8', [QUANTIZATION_METADATA_KEY]: 'q8' })
    expect(tensors.get('transformer.h.0.mlp.c_fc.weight.q8')).toMatchObject({ dtype: 'int8', shape: [128, 32] })
    expect(tensors.get('transformer.h.0.mlp.c_fc.weight.q8_scales')).toMatchObject({ dtype: 'float16', shape: [128, 1] })
    expect(tensors.get('transformer.wte.weight.q8')).toMatchObject({ dtype: 'int8', shape: [512, 32] })
    expect(tensors.get('transformer.h.0.ln_1.weight')).toMatchObject({ dtype: 'float32' })
    expect(tensors.has('transformer.h.0.mlp.c_fc.weight')).toBe(false)
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))[QUANTIZATION_METADATA_KEY]).toBe('q8')

    const loaded = await loadGPT2(out)
    expect(loaded.dtype).toBe('q8')
    for (const [name, m] of q.quantizedMatrices()) expect(loaded.quantizedMatrices().get(name)!.q8Parts()).toEqual(m.q8Parts())
    expect(maxDiff(logitsOf(loaded), logitsOf(q))).toBe(0)
    const asFloat = await loadGPT2(out, { dtype: 'fp32' })
    expect(asFloat.dtype).toBe('fp32')
    const wte = (await asFloat.weights()).get('transformer.wte.weight')!.data
    expect(Array.from(wte.subarray(0, 64))).toEqual(Array.from(q.quantizedMatrices().get('transformer.wte.weight')!.dequantizeRows([0, 1])))
    await expect(loadGPT2(out, { dtype: 'f16' })).rejects.toThrowError(/model\.safetensors: .*stored as q8; it cannot be held as f16/)
    // A loader that does not know the format refuses it, naming a matrix it lacks, rather than run without its matrices.
    expect(() => prepareStateDict(tensors)).toThrowError(CheckpointError)
    expect(() => prepareStateDict(tensors)).toThrowError(/has no 2-D transformer\.wte\.weight/)
    for (const m of [q, loaded, asFloat]) m.dispose()
  })

  it('f16: saves as a plain half-precision checkpoint, which loads back as f16', async () => {
    const h = GPT2.withDType(fp32.config, await fp32.weights(), new Map(), 'f16')
    const out = join(dir, 'f16')
    await saveGPT2(h, out)
    const { tensors, metadata } = readSafetensors(readFileSync(join(out, 'model.safetensors')))
    expect(metadata).toEqual({ format: 'pt', [QUANTIZATION_METADATA_KEY]: 'f16' })
    expect(tensors.get('transformer.h.1.attn.c_attn.weight')).toMatchObject({ dtype: 'float16', shape: [32, 96] })
    expect(tensors.get('transformer.wpe.weight')).toMatchObject({ dtype: 'float32' })
    const loaded = await loadGPT2(out)
    expect(loaded.dtype).toBe('f16')
    expect(maxDiff(logitsOf(loaded), logitsOf(h))).toBe(0)
    h.dispose()
    loaded.dispose()
  })

  it('refuses to train, to export float weights, or to save under another dtype', async () => {
    const q = GPT2.withDType(fp32.config, await fp32.weights(), new Map(), 'q8')
    expect(() => new Trainer(q, { train: [{ inputIds: [1, 2, 3], labels: [1, 2, 3] }] } as never)).toThrowError(QuantizationError)
    await expect(q.weights()).rejects.toThrowError(/holds its matrices as q8/)
    await expect(saveGPT2(q, join(dir, 'x'), { dtype: 'float16' })).rejects.toThrowError(/holds q8 weights/)
    q.dispose()
  })

  it('refuses a damaged q8 checkpoint naming the file and the tensor, leaving its memory as it was', async () => {
    const q = GPT2.withDType(fp32.config, await fp32.weights(), new Map(), 'q8')
    const out = join(dir, 'q8-damaged')
    await saveGPT2(q, out)
    q.dispose()
    const file = join(out, 'model.safetensors')
    const { tensors, metadata } = readSafetensors(readFileSync(file))
    const before = quantMemory().usedBytes
    const rewrite = (edit: (t: typeof tensors) => void) => {
      const copy = new Map([...tensors].map(([k, v]) => [k, { ...v, data: v.data.slice() }]))
      edit(copy)
      const encoded = [...copy].map(([name, t]): [string, Parameters<typeof writeSafetensors>[0] extends Iterable<[string, infer V]> ? V : never] =>
        t.dtype === 'int8' ? [name, { shape: t.shape, dtype: 'I8', bytes: Uint8Array.from(t.data as Int8Array) }] : t.dtype === 'float16' ? [name, { shape: t.shape, dtype: 'F16', bytes: new Uint8Array(float32ToFloat16Bits(t.data as Float32Array).buffer) }] : [name, { shape: t.shape, data: t.data as Float32Array }],
      )
      writeFileSync(file, writeSafetensors(encoded, { metadata }))
    }
    rewrite((t) => (t.get('transformer.h.1.attn.c_proj.weight.q8')!.data[3] = -128))
    await expect(loadGPT2(out)).rejects.toThrowError(/model\.safetensors: transformer\.h\.1\.attn\.c_proj\.weight\.q8: value -128 at \[0, 3\] is outside the integers of \[-127, 127\]/)
    rewrite((t) => (t.get('transformer.h.0.mlp.c_fc.weight.q8_scales')!.data[0] = Number.NaN))
    await expect(loadGPT2(out)).rejects.toThrowError(/transformer\.h\.0\.mlp\.c_fc\.weight\.q8_scales: scale 0 is NaN/)
    rewrite((t) => t.delete('transformer.h.0.mlp.c_proj.weight.q8_scales'))
    await expect(loadGPT2(out)).rejects.toThrowError(QuantizationError)
    await expect(loadGPT2(out)).rejects.toThrowError(/'transformer\.h\.0\.mlp\.c_proj\.weight\.q8' has no 'transformer\.h\.0\.mlp\.c_proj\.weight\.q8_scales'/)
    expect(quantMemory().usedBytes).toBe(before)
  })
})

