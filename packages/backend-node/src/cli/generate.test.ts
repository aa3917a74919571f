import { afterAll, beforeAll, expect, it } from 'vitest'
import { DialoGPT, loadGPT2 } from '@dialogpt/core'
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
    expect(json.sequences[0]).toEqual({ ids: expected[0]!.ids, text: reference.tokenizer.decode(expected[0]!.ids.filter((id) => id !== 50256)), score: expected[0]!.score })
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
})
