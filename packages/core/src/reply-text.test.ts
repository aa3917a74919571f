import { expect, it } from 'vitest'
import { BlockList } from './block-list'
import { ReplyText } from './reply-text'
import { GPT2Tokenizer } from './tokenizer'

const tokenizer = new GPT2Tokenizer()
/** Feeds the tokens of `text` (then eos) one by one; returns what was shown, piece by piece. */
function feed(reply: ReplyText, text: string): string[] {
  const shown: string[] = []
  for (const id of [...tokenizer.encode(text), tokenizer.eosTokenId]) {
    const piece = reply.push(id)
    if (piece) shown.push(piece)
  }
  const rest = reply.flush()
  if (rest) shown.push(rest)
  return shown
}

it('shows whole characters only: an emoji split over byte tokens waits until it is complete', () => {
  const reply = new ReplyText({ tokenizer, blockList: undefined })
  const pieces = feed(reply, 'ok 🙂 fine')
  expect(pieces.join('')).toBe('ok 🙂 fine')
  expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false)
  expect(reply.ended).toBeNull()
})

it('ends before a stop string, never showing any of it', () => {
  const reply = new ReplyText({ tokenizer, blockList: undefined }, ['\nUser:'])
  const pieces = feed(reply, 'Sure thing.\nUser: more')
  expect(pieces.join('')).toBe('Sure thing.')
  expect(reply.ended).toBe('stop')
  expect(reply.shown).toBe('Sure thing.')
})

it('ends before a blocked phrase in any casing, trimmed, never showing its start', () => {
  const reply = new ReplyText({ tokenizer, blockList: new BlockList(['silly goose']) })
  const pieces = feed(reply, 'You are a SILLY goose, friend')
  expect(pieces.join('')).toBe('You are a')
  expect(pieces.join('')).not.toMatch(/sil/i)
  expect(reply.ended).toBe('filtered')
})
