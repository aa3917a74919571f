import { gpt2Config, parameterShapes, type GPT2Config } from '@dialogpt/core'

/**
 * Random weights of a GPT-2 shape, made fast (a xorshift generator, uniform in ±0.04, LayerNorm
 * gains 1): load and memory benchmarks need the bytes, not a trained model's values.
 */
export function randomWeights(config: GPT2Config = gpt2Config('small'), seed = 1): Map<string, { shape: number[]; data: Float32Array }> {
  let s = seed >>> 0 || 1
  const out = new Map<string, { shape: number[]; data: Float32Array }>()
  for (const [name, shape] of parameterShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
    if (/ln_(1|2|f)\.weight$/.test(name)) data.fill(1)
    else
      for (let i = 0; i < data.length; i++) {
        s ^= s << 13
        s ^= s >>> 17
        s ^= s << 5
        data[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 0.08
      }
    out.set(name, { shape, data })
  }
  return out
}
