import * as tf from '@tensorflow/tfjs-core'
import { readFileSync } from 'node:fs'
import { beforeAll, expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { CheckpointError } from '../checkpoint/errors'
import { readSafetensors } from '../checkpoint/safetensors'
import { readStateDict } from '../checkpoint/read-state-dict'
import { float32ToFloat16Bits, decodeElements, type StateDict } from '../checkpoint/tensor-data'
import { writeReleasedLayout, type ReleasedLayout } from '../testing/released-layouts'
import { tinyDir, tinyGolden, useBackend } from '../testing/tiny'
import { GPT2 } from './gpt2'
import { prepareStateDict } from './weights'

/** The reference's float32 weights rounded to float16, as a fp16 file must hold them. */
function roundedToHalf(data: Float32Array): Float32Array {
  const bits = float32ToFloat16Bits(data)
  return decodeElements(new Uint8Array(bits.buffer), 0, data.length, 'float16') as Float32Array
}

describeShared('the released checkpoints\' key layouts, written by our torch writer from the gpt2-tiny reference', ['fixtures', 'gpt2-tiny', 'golden.json'], () => {
  let reference: StateDict
  // The tiny model's 4 heads cannot be read from its tensors (a released size's can): pass its config.json.
  let config: Record<string, unknown>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture data
  let golden: any
  beforeAll(async () => {
    await useBackend('cpu')
    reference = readSafetensors(readFileSync(`${tinyDir}/model.safetensors`)).tensors
    golden = tinyGolden()
    config = JSON.parse(readFileSync(`${tinyDir}/config.json`, 'utf8'))
  })

  /** The last position's logits for the golden batch. */
  function lastLogits(model: GPT2): number[][] {
    const { logits, cache } = model.forward(golden.batch.input_ids, { lastOnly: true })
    const out = (logits.arraySync() as number[][][]).map((row) => row[0]!)
    logits.dispose()
    for (const l of cache.layers) tf.dispose([l.key, l.value])
    return out
  }
  const worstDiff = (ours: number[][], theirs: number[][], scale = 1) => Math.max(...ours.flatMap((row, b) => row.map((x, v) => Math.abs(x - scale * theirs[b]![v]!))))

  const layouts: [string, ReleasedLayout, RegExp[]][] = [
    ['the original DialoGPT .pkl: legacy torch, fp16, attn.bias buffers, lm_head.decoder.weight sharing wte', { container: 'legacy', dtype: 'float16', attnBias: true, head: 'lm_head.decoder.weight' }, [/lm_head\.decoder\.weight equals transformer\.wte\.weight: the output head is tied/]],
    ['a DataParallel save: module. prefix, lm_head.decoder.weight as a separate equal copy, fp32 zip', { prefix: 'module.', head: 'lm_head.decoder.weight', headValues: 'copy' }, [/stripped the DataParallel 'module\.' prefix of \d+ tensors/, /tied/]],
    ['a DataParallel save without a head, legacy fp32', { prefix: 'module.', container: 'legacy' }, [/module\./]],
    ['Hugging Face pytorch_model.bin: lm_head.weight sharing wte, fp32 zip', { head: 'lm_head.weight' }, [/lm_head\.weight equals/]],
    ['the original GPT-2 pytorch_model.bin: bare names, legacy fp32', { bareNames: true, container: 'legacy' }, [/without the 'transformer\.' prefix/]],
  ]

  it.each(layouts)('loads %s, with the reference weights and logits', async (_, layout, notes) => {
    const prepared = prepareStateDict(readStateDict(await writeReleasedLayout(reference, layout)), config)
    for (const note of notes) expect(prepared.notes.join('\n')).toMatch(note)
    expect(prepared.config.tie_word_embeddings).toBe(true)
    expect([...prepared.weights.keys()].sort()).toEqual([...reference.keys()].sort())
    for (const [name, ref] of reference) {
      const want = layout.dtype === 'float16' ? roundedToHalf(ref.data as Float32Array) : ref.data
      expect(Buffer.from(prepared.weights.get(name)!.data.buffer, prepared.weights.get(name)!.data.byteOffset, want.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), name).toBe(true)
    }
    const before = tf.memory().numTensors
    const model = new GPT2(prepared.config, prepared.weights)
    // fp32 files give the reference logits within its stated tolerance; fp16 weights move them by their rounding.
    expect(worstDiff(lastLogits(model), golden.forward.logits_last_position)).toBeLessThan(layout.dtype === 'float16' ? 2e-2 : golden.recommended_tolerances_float32.logits_atol)
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('loads a head that differs from wte as an untied head, says so, and uses it: lm_head = 2·wte doubles the reference logits', async () => {
    const prepared = prepareStateDict(readStateDict(await writeReleasedLayout(reference, { prefix: 'module.', head: 'lm_head.decoder.weight', headValues: { scale: 2 } })), config)
    expect(prepared.notes.join('\n')).toMatch(/lm_head\.decoder\.weight differs from transformer\.wte\.weight: loaded as an untied output head/)
    expect(prepared.config.tie_word_embeddings).toBe(false)
    const model = new GPT2(prepared.config, prepared.weights)
    expect(model.parameters().has('lm_head.weight')).toBe(true)
    expect(worstDiff(lastLogits(model), golden.forward.logits_last_position, 2)).toBeLessThan(2 * golden.recommended_tolerances_float32.logits_atol)
    // It saves and reloads untied.
    const weights = await model.weights()
    expect(weights.get('lm_head.weight')!.data[0]).toBe(2 * (reference.get('transformer.wte.weight')!.data[0] as number))
    model.dispose()
  })

  it('says when config.json disagrees with the tensors about the head', async () => {
    const prepared = prepareStateDict(readStateDict(await writeReleasedLayout(reference, { head: 'lm_head.weight', headValues: { scale: 0.5 } })), { ...config, tie_word_embeddings: true })
    expect(prepared.notes).toContain('tie_word_embeddings: config says true, the tensors say false')
  })

  it('refuses two names for one tensor, naming both', async () => {
    const dict = readStateDict(await writeReleasedLayout(reference, { head: 'lm_head.weight', headValues: { scale: 3 } }))
    dict.set('lm_head.decoder.weight', reference.get('transformer.wte.weight')!)
    expect(() => prepareStateDict(dict)).toThrow(CheckpointError)
    expect(() => prepareStateDict(dict)).toThrow(/'lm_head\.weight' and 'lm_head\.decoder\.weight' are both lm_head\.weight/)
    const both = new Map(reference)
    both.set('module.transformer.wte.weight', reference.get('transformer.wte.weight')!)
    expect(() => prepareStateDict(both)).toThrow(/'transformer\.wte\.weight' and 'module\.transformer\.wte\.weight' are both transformer\.wte\.weight/)
  })
})
