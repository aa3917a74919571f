import { describe, expect, it } from 'vitest'
import { ConfigError, reconcileConfig } from '../model/config'
import { safetensorsCase, seeded, torchCase, type CheckpointCase, type Reader } from '../testing/checkpoint-cases'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'

const CASES = Number(process.env.CHECKPOINT_FUZZ_CASES ?? 2000)

/**
 * Reads one generated case and checks the outcome: a typed error (`CheckpointError`, or a
 * `ConfigError` from sizing a model from the tensors), or a read whose tensors are exactly the ones
 * the case describes. The work is bounded by the input: the elements returned are at most about
 * three times the bytes read (float16 data doubles, a shared storage read by a few transposed views,
 * a tiny broadcast). Time and memory per case are measured by `pnpm bench readers`.
 */
function check(c: CheckpointCase, i: number): 'read' | 'refused' {
  let dict
  try {
    dict = readStateDict(c.bytes)
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw new Error(`case ${i} (${c.kind}): ${String(error)} is not a CheckpointError`, { cause: error })
    if (c.kind === 'honest') throw new Error(`case ${i} (honest) was refused: ${error.message}`)
    return 'refused'
  }
  let elements = 0
  for (const [name, t] of dict) {
    // Plain comparisons first (a case can hold thousands of tensors); expect() only to report a difference.
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) expect(t.data.length, `case ${i} ${name}`).toBe(t.shape.reduce((a, b) => a * b, 1))
    elements += t.data.length
    const want = c.expected.get(name)
    if (!want) continue
    const same = t.shape.length === want.shape.length && t.shape.every((d, k) => d === want.shape[k]) && t.data.length === want.values.length && Array.prototype.every.call(t.data, (v: number, k: number) => v === want.values[k])
    if (!same) {
      expect(t.shape, `case ${i} (${c.kind}) ${name}`).toEqual(want.shape)
      expect(Array.from(t.data), `case ${i} (${c.kind}) ${name}`).toEqual(Array.from(want.values))
    }
  }
  expect(elements, `case ${i} (${c.kind}): elements returned for ${c.bytes.length} bytes`).toBeLessThanOrEqual(3 * c.bytes.length + 2 * 65536)
  // Sizing a GPT-2 from the tensors (block indices, shapes) is bounded too: a config or a typed error.
  try {
    reconcileConfig(dict)
  } catch (error) {
    if (!(error instanceof CheckpointError || error instanceof ConfigError)) throw new Error(`case ${i} (${c.kind}): reconcileConfig threw ${String(error)}`, { cause: error })
  }
  return 'read'
}

describe('checkpoint readers on generated honest and hostile files', () => {
  const readers: [Reader, (random: () => number) => Promise<CheckpointCase> | CheckpointCase][] = [
    ['safetensors', safetensorsCase],
    ['torch-zip', (r) => torchCase(r, false)],
    ['torch-legacy', (r) => torchCase(r, true)],
  ]
  it.each(readers)(`%s: ${CASES} cases end in a typed error or a correct read`, async (reader, generate) => {
    const random = seeded(0xf00d + reader.length)
    const outcomes: Record<string, { read: number; refused: number }> = {}
    for (let i = 0; i < CASES; i++) {
      const c = await generate(random)
      const o = (outcomes[c.kind] ??= { read: 0, refused: 0 })
      o[check(c, i)]++
    }
    // Every kind occurred, honest files were read, and the hostile kinds were refused at least sometimes.
    expect(Object.values(outcomes).reduce((n, o) => n + o.read + o.refused, 0)).toBe(CASES)
    expect(outcomes.honest!.read).toBeGreaterThan(CASES / 10)
    const hostile = reader === 'safetensors' ? ['header-length', 'nesting', 'many-tensors', 'wide-values', 'offsets', 'shape'] : ['zero-stride', 'overlap', 'outside', 'many-views']
    for (const kind of hostile) expect(outcomes[kind]?.refused, `${reader} ${kind}: ${JSON.stringify(outcomes[kind])}`).toBeGreaterThan(0)
  })
})
