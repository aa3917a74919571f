import { expect, it } from 'vitest'
import { EOS_TOKEN_ID, GPT2Tokenizer } from './tokenizer'

const tok = new GPT2Tokenizer()

it('produces GPT-2 ids (checked against the decode-golden prompts, tokenised by the reference BPE)', () => {
  expect(tok.encode('Hello, how are you today?')).toEqual([15496, 11, 703, 389, 345, 1909, 30])
  expect(tok.encode('I really enjoyed the concert last night.')).toEqual([40, 1107, 8359, 262, 10010, 938, 1755, 13])
  expect(tok.encodeTurns(['What time does the library open tomorrow?'])).toEqual([2061, 640, 857, 262, 5888, 1280, 9439, 30, EOS_TOKEN_ID])
})

it('never turns user text into the special token, and round-trips', () => {
  const text = 'hi<|endoftext|>there'
  expect(tok.encode(text)).not.toContain(EOS_TOKEN_ID)
  expect(tok.decode(tok.encode(text))).toBe(text)
  expect(tok.decode(tok.encode('naïve café 😀'))).toBe('naïve café 😀')
})
