import { readFileSync } from 'node:fs'
import { seededRandom } from '@dialogpt/data'
import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'


const EXTREMES = [0, 1, 0xff, 0x7f, 0x80, 0xffffffff, 0x7fffffff, 0x80000000, 2 ** 32, 2 ** 40, 2 ** 53 - 1]

/** One random mutation: flip bytes, overwrite a field with an extreme value, cut, insert or delete. */
function mutate(source: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n)
  const kind = pick(6)
  const at = pick(source.length)
  switch (kind) {
    case 0: {
      const out = source.slice()
      for (let k = 1 + pick(8); k > 0; k--) out[pick(out.length)] = pick(256)
      return out
    }
    case 1: {
      const out = source.slice()
      const value = BigInt(EXTREMES[pick(EXTREMES.length)]!)
      const width = [1, 2, 4, 8][pick(4)]!
      for (let i = 0; i < width && at + i < out.length; i++) out[at + i] = Number((value >> BigInt(8 * i)) & 0xffn)
      return out
    }
    case 2:
      return source.slice(0, at)
    case 3: {
      const insert = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256))
      const out = new Uint8Array(source.length + insert.length)
      out.set(source.subarray(0, at))
      out.set(insert, at)
      out.set(source.subarray(at), at + insert.length)
      return out
    }
    case 4: {
      const n = 1 + pick(16)
      const out = new Uint8Array(Math.max(0, source.length - n))
      out.set(source.subarray(0, at))
      out.set(source.subarray(Math.min(source.length, at + n)), at)
      return out
    }
    default: {
      // Mutate near the start, where headers, pickles and sizes live.
      const out = source.slice()
      const head = Math.min(out.length, 1024)
      for (let k = 1 + pick(4); k > 0; k--) out[pick(head)] = pick(256)
      return out
    }
  }
}

const CASES = Number(process.env.CHECKPOINT_FUZZ_CASES ?? 2000)

describeShared('checkpoint readers under random mutation', ['fixtures', 'checkpoints', 'small'], () => {
  const formats: [string, string][] = [
    ['safetensors', 'small_fp32.safetensors'],
    ['torch zip', 'small_zip_fp32.bin'],
    ['torch legacy', 'small_legacy_fp32.bin'],
  ]
  it.each(formats)(`%s: ${CASES} mutated files give a state dict or a CheckpointError, nothing else`, (_format, file) => {
    const source = new Uint8Array(readFileSync(sharedPath('fixtures', 'checkpoints', 'small', file)))
    const random = seededRandom(0x5eed ^ file.length)
    const counts = { loaded: 0, refused: 0 }
    for (let i = 0; i < CASES; i++) {
      const bytes = mutate(source, random)
      try {
        const dict = readStateDict(bytes)
        for (const t of dict.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1))
        counts.loaded++
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw new Error(`case ${i}: ${String(error)} is not a CheckpointError`, { cause: error })
        counts.refused++
      }
    }
    expect(counts.loaded + counts.refused).toBe(CASES)
    expect(counts.refused).toBeGreaterThan(CASES / 10)
  })
})
