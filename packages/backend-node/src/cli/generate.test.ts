import { afterAll, beforeAll, expect, it } from 'vitest'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DialoGPT, GPT2, gpt2Config, loadGPT2, readSafetensors, saveGPT2 } from '@dialogpt/core'
import { writeReleasedLayout } from '../../../core/src/testing/released-layouts'
import { generate } from '@dialogpt/decode'
import { describeShared, sharedPath } from '../../../../test/shared'
import { useBackend } from '../select-backend'
import { main } from './main'

describeShared('dialogpt generate on the gpt2-tiny fixture', ['fixtures', 'gpt2-tiny'], () => {
  const model = sharedPath('fixtures', 'gpt2-tiny')
  const run = async (...args: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
    return { code, out: out.join(''), err: err.join('') }
  }
  let reference: DialoGPT
  beforeAll(async () => {
    await useBackend('wasm')
    reference = new DialoGPT(await loadGPT2(model))
  })
  afterAll(() => reference?.dispose())

  it('prints the JSON the issue specifies, with the ids the library generates', async () => {
    const r = await run('generate', '--model', model, '--prompt', 'Hello, how are you today?', '--num-beams', '4', '--num-return-sequences', '2', '--max-new-tokens', '6', '--json')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.out)
    const expected = (await generate(reference.lm, reference.tokenizer.encodeTurns(['Hello, how are you today?']), { numBeams: 4, numReturnSequences: 2, maxNewTokens: 6 }))[0]!
    expect(json.sequences.map((s: { ids: number[] }) => s.ids)).toEqual(expected.map((s) => s.ids))
    expect(json.sequences[0]).toEqual({ ids: expected[0]!.ids, text: reference.tokenizer.decode(expected[0]!.ids.filter((id) => id !== 50256)), score: expected[0]!.score, finishedBy: expected[0]!.finishedBy })
  })

  it('samples reproducibly with a seed and reranks with --mmi', async () => {
    const args = ['generate', '--model', model, '--prompt', 'Hi', '--do-sample', '--top-k', '10', '--seed', '3', '--max-new-tokens', '5', '--json']
    expect((await run(...args)).out).toBe((await run(...args)).out)
    const mmi = await run('generate', '--model', model, '--prompt', 'Hi', '--mmi', '--reverse-model', model, '--num-samples', '4', '--max-new-tokens', '5', '--seed', '1', '--json')
    expect(mmi.code).toBe(0)
    const seqs = JSON.parse(mmi.out).sequences
    expect(seqs).toHaveLength(1)
    expect(typeof seqs[0].score).toBe('number')
  })

  it('exits 2 with usage for bad flags and 1 with the reason for a bad model', async () => {
    expect((await run('generate', '--model', model)).code).toBe(2)
    expect((await run('generate', '--model', model, '--prompt', 'x', '--early-stopping', 'maybe')).err).toMatch(/--early-stopping must be true, false or never/)
    expect((await run('generate', '--model', model, '--prompt', 'x', '--top-p', '2')).code).toBe(2)
    const bad = await run('generate', '--model', sharedPath('fixtures', 'checkpoints', 'hostile', 'pickle_global_os_system.bin'), '--prompt', 'x')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/refusing to call os\.system/)
    expect((await run('frobnicate')).code).toBe(2)
  })

  it('with no flags runs generate()\'s own defaults, as its help says: the same ids as generate() with no options (greedy, 20 tokens)', async () => {
    const r = await run('generate', '--model', model, '--prompt', 'Does money buy happiness?', '--json')
    expect(r.err).toBe('')
    const expected = (await generate(reference.lm, reference.tokenizer.encodeTurns(['Does money buy happiness?'])))[0]!
    expect(JSON.parse(r.out).sequences.map((s: { ids: number[] }) => s.ids)).toEqual(expected.map((s) => s.ids))
    expect(expected[0]!.ids.length).toBe(20)
  })

  it('applies the model\'s generation_config.json under the flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogpt-genconfig-'))
    for (const f of ['model.safetensors', 'config.json']) copyFileSync(join(model, f), join(dir, f))
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ max_new_tokens: 3, repetition_penalty: 1.3, eos_token_id: 50256 }))
    const ids = async (...flags: string[]) => JSON.parse((await run('generate', '--model', dir, '--prompt', 'Hello there', '--json', ...flags)).out).sequences[0].ids as number[]
    const prompt = reference.tokenizer.encodeTurns(['Hello there'])
    const want = async (config: Parameters<typeof generate>[2]) => (await generate(reference.lm, prompt, config))[0]![0]!.ids
    expect(await ids()).toEqual(await want({ maxNewTokens: 3, repetitionPenalty: 1.3 }))
    expect(await ids('--max-new-tokens', '6')).toEqual(await want({ maxNewTokens: 6, repetitionPenalty: 1.3 }))
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads an original DialoGPT .pkl (legacy fp16, lm_head.decoder.weight) and says how it read the head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogpt-pkl-'))
    const reference32 = readSafetensors(readFileSync(join(model, 'model.safetensors'))).tensors
    writeFileSync(join(dir, 'small_ft.pkl'), await writeReleasedLayout(reference32, { container: 'legacy', dtype: 'float16', head: 'lm_head.decoder.weight', prefix: 'module.' }))
    copyFileSync(join(model, 'config.json'), join(dir, 'config.json'))
    const r = await run('generate', '--model', join(dir, 'small_ft.pkl'), '--prompt', 'Hi', '--max-new-tokens', '3', '--json')
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/lm_head\.decoder\.weight equals transformer\.wte\.weight: the output head is tied/)
    expect(r.err).toMatch(/stripped the DataParallel 'module\.' prefix/)
    expect(JSON.parse(r.out).sequences[0].ids).toHaveLength(3)
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a model with a smaller vocabulary than GPT-2 (the demo\'s) with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogpt-smallvocab-'))
    await saveGPT2(GPT2.random(gpt2Config({ ...gpt2Config('micro'), vocab_size: 509, bos_token_id: 508, eos_token_id: 508 }), 1), dir)
    const r = await run('generate', '--model', dir, '--prompt', 'Hi')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/vocabulary of 509 tokens, smaller than GPT-2's 50257/)
    rmSync(dir, { recursive: true, force: true })
  })
})
