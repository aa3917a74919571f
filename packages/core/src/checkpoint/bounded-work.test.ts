import { describe, expect, it } from 'vitest'
import { GPT2 } from '../model/gpt2'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'
import { PyOrderedDict, TorchTensor } from './pickle-writer'
import { readSafetensors } from './safetensors'
import { MemorySink, writeTorchLegacy, writeTorchZip } from './torch-writer'
import { safetensorsFile } from '../testing/checkpoint-cases'

async function zipOf(dict: PyOrderedDict, legacy = false): Promise<Uint8Array> {
  const sink = new MemorySink()
  if (legacy) await writeTorchLegacy(dict, sink)
  else await writeTorchZip(dict, sink)
  return sink.bytes()
}

const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer)

describe('weight files: bounded work for bounded input', () => {
  it.each([false, true])('refuses a stride-0 view that makes a 4-element storage a billion elements (legacy: %s)', async (legacy) => {
    const dict = new PyOrderedDict()
    dict.entries.set('transformer.wpe.weight', new TorchTensor({ dtype: 'float32', numel: 4, bytes: f32(1, 2, 3, 4) }, 0, [1e9], [0]))
    const bytes = await zipOf(dict, legacy)
    expect(bytes.length).toBeLessThan(1024)
    expect(() => readStateDict(bytes)).toThrow(CheckpointError)
    expect(() => readStateDict(bytes)).toThrow(/repeats storage elements to make 1000000000 elements out of 1/)
  })

  it('refuses overlapping strides that expand a storage, but keeps a tiny broadcast and honest transposed views', async () => {
    const storage = { dtype: 'float32' as const, numel: 6, bytes: f32(1, 2, 3, 4, 5, 6) }
    const overlapping = new PyOrderedDict()
    overlapping.entries.set('zero', new TorchTensor(storage, 0, [3, 40_000], [1, 0]))
    await expect(zipOf(overlapping).then(readStateDict)).rejects.toThrow(/'zero'.*zero or overlapping strides/)
    const nonzero = new PyOrderedDict()
    // 17 dimensions of 2, each with stride 1: 131072 elements from 18.
    nonzero.entries.set('overlap', new TorchTensor({ dtype: 'float32', numel: 18, bytes: new Uint8Array(72) }, 0, new Array(17).fill(2), new Array(17).fill(1)))
    await expect(zipOf(nonzero).then(readStateDict)).rejects.toThrow(/'overlap'.*131072 elements out of 18/)
    const fine = new PyOrderedDict()
    fine.entries.set('broadcast', new TorchTensor(storage, 1, [4, 2], [0, 1])) // 8 elements from 2
    fine.entries.set('transposed', new TorchTensor(storage, 0, [3, 2], [1, 3]))
    const dict = readStateDict(await zipOf(fine))
    expect([...dict.get('broadcast')!.data]).toEqual([2, 3, 2, 3, 2, 3, 2, 3])
    expect([...dict.get('transposed')!.data]).toEqual([1, 4, 2, 5, 3, 6])
  })

  it('refuses views whose copies would far exceed what the file stores', async () => {
    const storage = { dtype: 'float32' as const, numel: 200_000, bytes: new Uint8Array(800_000) }
    const dict = new PyOrderedDict()
    // Each transposed view copies 200k elements: 100 of them are 50× the storage.
    for (let i = 0; i < 100; i++) dict.entries.set(`t${i}`, new TorchTensor(storage, 0, [400, 500], [1, 400]))
    await expect(zipOf(dict).then(readStateDict)).rejects.toThrow(/would copy .* elements out of 200000 stored/)
  })

  it('refuses a safetensors header of deep nesting inside __metadata__ before parsing it', () => {
    const depth = 2_000_000
    const bytes = safetensorsFile(`{"__metadata__":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`)
    expect(() => readSafetensors(bytes)).toThrow(/nests objects or arrays more than 3 deep/)
  })

  it('refuses a header with too many (zero-size) tensors before parsing it', () => {
    const entries: string[] = []
    for (let i = 0; i < 150_000; i++) entries.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
    expect(() => readSafetensors(safetensorsFile(`{${entries.join(',')}}`))).toThrow(/more than 100001 entries/)
  })

  it('refuses a header whose few entries hold millions of values', () => {
    const shape = new Array(3_000_000).fill(1).join(',')
    expect(() => readSafetensors(safetensorsFile(`{"t":{"dtype":"F32","shape":[${shape}],"data_offsets":[0,4]}}`, f32(1)))).toThrow(/holds more than 1600000 values/)
  })

  it('checks that __metadata__ values are strings', () => {
    expect(() => readSafetensors(safetensorsFile('{"__metadata__":{"format":["pt"]}}'))).toThrow(/__metadata__ entry 'format' is an array, not a string/)
    expect(() => readSafetensors(safetensorsFile('{"__metadata__":{"format":1}}'))).toThrow(/is number, not a string/)
    expect(readSafetensors(safetensorsFile('{"__metadata__":{"format":"pt"}}')).metadata).toEqual({ format: 'pt' })
  })

  it('refuses an absurd block index before sizing anything from it', () => {
    const header = JSON.stringify({
      'transformer.wte.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      'transformer.wpe.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [16, 32] },
      'transformer.h.999999999.ln_1.weight': { dtype: 'F32', shape: [2], data_offsets: [32, 40] },
    })
    const dict = readSafetensors(safetensorsFile(header, new Uint8Array(40))).tensors
    expect(() => GPT2.fromStateDict(dict)).toThrow(CheckpointError)
    expect(() => GPT2.fromStateDict(dict)).toThrow(/'transformer.h.999999999.ln_1.weight' names block 999999999, but the checkpoint has only 3 tensors/)
  })

  it('refuses a gap in the block indices', () => {
    const header = JSON.stringify({
      'transformer.wte.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      'transformer.wpe.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [16, 32] },
      'transformer.h.0.ln_1.weight': { dtype: 'F32', shape: [2], data_offsets: [32, 40] },
      'transformer.h.2.ln_1.weight': { dtype: 'F32', shape: [2], data_offsets: [40, 48] },
    })
    expect(() => GPT2.fromStateDict(readSafetensors(safetensorsFile(header, new Uint8Array(48))).tensors)).toThrow(/tensors of block 2 .* but none of block 1/)
  })

  it('refuses an integer too long to be anything a state dict holds (quadratic to build)', async () => {
    const dict = new PyOrderedDict()
    dict.entries.set('n', 10n ** 300n)
    await expect(zipOf(dict).then(readStateDict)).rejects.toThrow(/integer of 125 bytes/)
  })
})
