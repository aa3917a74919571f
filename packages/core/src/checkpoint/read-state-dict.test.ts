import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'
import { readSafetensors } from './safetensors'
import { float32ToBfloat16Bits, float32ToFloat16Bits, type StateDictTensor } from './tensor-data'

const dir = (...p: string[]) => sharedPath('fixtures', 'checkpoints', ...p)

/** The tensor laid out contiguously in its stored dtype, as expected.json hashes it. */
function storedBytes(t: StateDictTensor): Uint8Array {
  switch (t.dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(t.data).buffer)
    case 'float16':
      return new Uint8Array(float32ToFloat16Bits(Float32Array.from(t.data)).buffer)
    case 'bfloat16':
      return new Uint8Array(float32ToBfloat16Bits(Float32Array.from(t.data)).buffer)
    case 'bool':
    case 'uint8':
      return Uint8Array.from(t.data)
    default:
      throw new Error(`no stored form for ${t.dtype}`)
  }
}

describeShared('checkpoint formats (../shared/fixtures/checkpoints)', ['fixtures', 'checkpoints', 'expected.json'], () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture metadata
  const expected: any = JSON.parse(readFileSync(dir('expected.json'), 'utf8'))
  const reference = readSafetensors(readFileSync(sharedPath('fixtures', 'gpt2-tiny', 'model.safetensors'))).tensors

  it.each(Object.keys(expected.files))('loads %s exactly', (file) => {
    const info = expected.files[file]
    const dict = readStateDict(readFileSync(dir(file)))
    // Torch files keep state-dict order; safetensors headers are name-keyed, so compare as sets.
    if (info.format === 'safetensors') expect([...dict.keys()].sort()).toEqual(Object.keys(info.tensors).sort())
    else expect([...dict.keys()]).toEqual(Object.keys(info.tensors))
    for (const [name, want] of Object.entries<{ dtype: string; shape: number[]; first8: unknown[]; sha256_contiguous_le: string }>(info.tensors)) {
      const t = dict.get(name)!
      expect(t.dtype, name).toBe(want.dtype)
      expect(t.shape, name).toEqual(want.shape)
      const first8 = Array.from(t.data.subarray(0, 8), (x) => (want.dtype === 'bool' ? x !== 0 : Number(x)))
      expect(first8, name).toEqual(want.first8)
      expect(createHash('sha256').update(storedBytes(t)).digest('hex'), name).toBe(want.sha256_contiguous_le)
      const ref = reference.get(name.startsWith('transformer.') ? name : `transformer.${name}`) ?? (name === 'lm_head.weight' ? reference.get('transformer.wte.weight') : undefined)
      if (ref && t.dtype === 'float32') expect(Buffer.from(storedBytes(t)).equals(Buffer.from(storedBytes(ref))), `${name} is bit-identical to the source`).toBe(true)
    }
  })

  const refused = [
    ...readdirSync(dir('hostile')).map((f) => ['hostile', f] as const),
    ...readdirSync(dir('truncated')).map((f) => ['truncated', f] as const),
  ]
  it('has every hostile and truncated fixture listed', () => {
    expect(refused.length).toBe(Object.keys(expected.hostile).length + Object.keys(expected.truncated).length)
  })

  it.each(refused)('refuses %s/%s with a typed error', (kind, file) => {
    const rule = expected[kind][file]
    let result: unknown
    try {
      result = readStateDict(readFileSync(dir(kind, file)))
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(CheckpointError)
      expect((error as CheckpointError).message.length).toBeGreaterThan(10)
      return
    }
    // Only the deflated zip may load, and then it must equal the uncompressed original.
    expect(rule.expect, `${file} loaded but must be refused`).toBe('either')
    expect(result).toEqual(readStateDict(readFileSync(dir('small', 'small_zip_fp32.bin'))))
  })
})
