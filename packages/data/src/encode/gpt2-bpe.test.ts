import { readdirSync, readFileSync } from 'node:fs'
import { decode as referenceDecode, encode as referenceEncode } from 'gpt-tokenizer/encoding/r50k_base'
import { seededRandom } from '../random/seeded-random'
import { describe, expect, it } from 'vitest'
import { hasShared, sharedPath } from '../../../../test/shared'
import { decodeGpt2, encodeGpt2, EOS_TOKEN_ID } from './gpt2-bpe'

/** gpt-tokenizer's encode, with special tokens as text (what DialoGPT needs): the independent reference. */
const reference = (text: string) => referenceEncode(text, { disallowedSpecial: new Set() })


describe("GPT-2 BPE: the same ids as gpt-tokenizer's encode", () => {
  it('on known strings', () => {
    expect(encodeGpt2('Hello world')).toEqual([15496, 995])
    expect(encodeGpt2(' hello')).toEqual([23748])
    expect(encodeGpt2('hi<|endoftext|>there')).toEqual(reference('hi<|endoftext|>there'))
    expect(encodeGpt2('')).toEqual([])
  })

  it('on 3,000 random strings of words, digits, punctuation, whitespace runs, accents, CJK and emoji', () => {
    const random = seededRandom(7)
    const alphabet = ['a', 'e', 'th', 'ing', ' ', '  ', '\n', '\t', "'s", "'ll", '0', '42', '.', '!!', '?', '-', 'é', 'ß', 'Ω', '漢字', 'の', '😀', '👍🏽', '\u0301', 'A', 'QU', '\r\n', '  \n', '$', '<|endoftext|>']
    for (let k = 0; k < 3000; k++) {
      let s = ''
      for (let n = Math.floor(random() * 40); n > 0; n--) s += alphabet[Math.floor(random() * alphabet.length)]
      expect(encodeGpt2(s), JSON.stringify(s)).toEqual(reference(s))
    }
  })

  it('on long single pieces (merged with the heap), up to where the reference still works', () => {
    for (const text of ['a'.repeat(5000), 'ab'.repeat(3000), '漢'.repeat(3000), '😀'.repeat(2000), `x${'ha'.repeat(2500)}!`, ' '.repeat(3000) + 'x', '1'.repeat(4000)])
      expect(encodeGpt2(text), text.slice(0, 12)).toEqual(reference(text))
  })

  it.runIf(hasShared('data', 'topical-chat'))('on real conversation text (Topical-Chat)', () => {
    const dir = sharedPath('data', 'topical-chat')
    const file = readFileSync(`${dir}/${readdirSync(dir).find((f) => f.endsWith('.json'))}`, 'utf8').slice(0, 400_000)
    const lines = file.split('"message": "').slice(1, 2000).map((l) => l.slice(0, l.indexOf('"')))
    for (const line of lines) expect(encodeGpt2(line)).toEqual(reference(line))
  })
})

describe('hostile input to the tokenizer', () => {
  it('encodes 60k–100k CJK characters and 50k emoji without overflowing the stack', () => {
    for (const text of ['漢'.repeat(60_000), '漢字'.repeat(50_000), '😀'.repeat(50_000)]) {
      const ids = encodeGpt2(text)
      expect(ids.length).toBeGreaterThan(text.length / 4)
      expect(decodeGpt2(ids)).toBe(text)
    }
  })

  it('merges a 300k-letter word in linear-logarithmic steps and round-trips it', () => {
    const text = 'a'.repeat(300_000)
    const ids = encodeGpt2(text)
    expect(decodeGpt2(ids)).toBe(text)
    // The heap merge agrees with the reference wherever the reference finishes in reasonable time.
    expect(encodeGpt2('a'.repeat(20_000))).toEqual(reference('a'.repeat(20_000)))
  })
})

describe('decoding', () => {
  it('keeps no state between calls (gpt-tokenizer leaks a half character into the next decode)', () => {
    const ids = encodeGpt2('😀 hi')
    const half = decodeGpt2(ids.slice(0, 1))
    expect(half.endsWith('\uFFFD')).toBe(true)
    expect(decodeGpt2(ids)).toBe('😀 hi')
    // The reference, for the record: its second answer carries the first call's leftover byte.
    referenceDecode(ids.slice(0, 1))
    expect(referenceDecode(ids)).not.toBe('😀 hi')
  })

  it('decodes eos as its text and refuses ids outside the vocabulary', () => {
    expect(decodeGpt2([15496, EOS_TOKEN_ID])).toBe('Hello<|endoftext|>')
    expect(() => decodeGpt2([50257])).toThrow(/token id 50257 is not in GPT-2's vocabulary/)
    expect(() => decodeGpt2([-1])).toThrow(RangeError)
  })
})
