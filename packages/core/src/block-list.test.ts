import { expect, it } from 'vitest'
import { describeShared } from '../../../test/shared'
import { BlockList } from './block-list'
import { DialoGPT } from './dialogpt'
import { loadTiny, useBackend } from './testing/tiny'
import { GPT2Tokenizer } from './tokenizer'

it('bans every tokenisation a phrase has in running text, and finds it on the output in any casing, as whole words only', () => {
  const t = new GPT2Tokenizer()
  const list = BlockList.parse('# our example\nsilly goose\n\n  Darn  \n')
  expect(list.phrases).toEqual(['silly goose', 'Darn'])
  const banned = new Set(list.badWordsIds.map((ids) => ids.join(',')))
  for (const form of ['silly goose', ' silly goose', 'Silly goose', ' Silly Goose', ' SILLY GOOSE', 'darn', ' darn', 'Darn', ' Darn', ' DARN'])
    expect(banned.has(t.encode(form).join(',')), form).toBe(true)
  expect(list.find('you are a SiLLy   GOOSE!')).toEqual({ phrase: 'silly goose', index: 10 })
  expect(list.find('darn it')).toEqual({ phrase: 'Darn', index: 0 })
  expect(list.find('undarnable sillygoose')).toBeNull()
  expect(new BlockList([]).find('anything')).toBeNull()
})

describeShared('a DialoGPT with a block list, on the gpt2-tiny fixture', ['fixtures', 'gpt2-tiny'], () => {
  it('never produces a listed phrase, even under sampling with a seed that produced it before', async () => {
    await useBackend('cpu')
    const model = loadTiny()
    const free = new DialoGPT(model)
    const tokenizer = free.tokenizer
    const config = { doSample: true, topK: 50, maxNewTokens: 12, seed: 7 }
    // Find what the unrestricted model says for some seeds, and list two words of it.
    const said: string[] = []
    for (let seed = 1; seed <= 4; seed++) said.push(tokenizer.decode((await free.generate('Hello there', { ...config, seed }))[0]![0]!.ids.filter((id) => id !== 50256)))
    const words = said.flatMap((s) => s.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3))
    expect(words.length).toBeGreaterThan(2)
    const phrases = words.slice(0, 3)
    const guarded = new DialoGPT(model, { blockList: new BlockList(phrases) })
    for (let seed = 1; seed <= 4; seed++) {
      const out = (await guarded.generate('Hello there', { ...config, seed }))[0]![0]!
      const text = tokenizer.decode(out.ids)
      expect(guarded.blockList!.find(text), `seed ${seed}: '${text}'`).toBeNull()
      // Before, the same seed said one of them.
      if (said[seed - 1]!.split(/[^\p{L}\p{N}]+/u).some((w) => phrases.includes(w))) expect(text).not.toBe(said[seed - 1])
    }
    // The streamed chat reply is checked too, and never shows a phrase.
    const chat = guarded.chat({ generation: config })
    let shown = ''
    for await (const piece of chat.stream('Hello there')) shown += piece
    expect(guarded.blockList!.find(shown)).toBeNull()
    expect(chat.history[1]!.text).toBe(shown)
    // The output check cuts what the token ban cannot see: a casing outside the banned forms.
    const odd = new DialoGPT(model, { blockList: new BlockList([said[0]!.trim().split(/\s+/)[0]!.replace(/^./, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))]) })
    const checked = odd.checkOutput({ ids: tokenizer.encode(said[0]!), score: null, finishedBy: 'eos' })
    expect(checked.finishedBy).toBe('filtered')
    expect(odd.blockList!.find(tokenizer.decode(checked.ids))).toBeNull()
    model.dispose()
  })
})
