import { expect, it } from 'vitest'
import { EOS } from './feature'
import { formatTsvLine, parseTsvLine, parseTurn, tsvLineToFeatures } from './tsv'

it('reads turn weights exactly as _norm_text does (reference notes 2.1)', () => {
  expect(parseTurn('0.0 hello there')).toEqual({ weight: 0, text: 'hello there' })
  expect(parseTurn('hello there')).toEqual({ weight: 1, text: 'hello there' })
  expect(parseTurn('1 x')).toEqual({ weight: 1, text: 'x' })
  expect(parseTurn('3 dogs barked')).toEqual({ weight: 3, text: 'dogs barked' })
  expect(parseTurn('1e-1 a').weight).toBe(0.1)
  expect(parseTurn('1_000 a').weight).toBe(1000)
  expect(parseTurn('1.2.3 a')).toEqual({ weight: 1, text: '1.2.3 a' })
})

it('parses and writes the train.tsv format', () => {
  const line = '0.0 how are you ? EOS 1.0 fine , you ?\t1.0 great !'
  const turns = parseTsvLine(line)
  expect(turns).toEqual([
    { weight: 0, text: 'how are you ?' },
    { weight: 1, text: 'fine , you ?' },
    { weight: 1, text: 'great !' },
  ])
  expect(formatTsvLine(turns)).toBe(line)
  expect(() => parseTsvLine('no tab here')).toThrow(/needs a tab/)
})

it('turns a line into features, drops a zero-weight target, and reverses for the backward model', () => {
  const ids = (t: string) => t.split(' ').map((w) => w.length)
  const [f] = tsvLineToFeatures('0.0 aa bbb\t1.0 c', { encode: ids })
  expect(f!.inputIds.slice(0, 4)).toEqual([2, 3, EOS, 1])
  expect(f!.labels.slice(0, 4)).toEqual([-1, -1, 1, EOS])
  expect(tsvLineToFeatures('0.0 aa bbb\t0.0 c', { encode: ids })).toEqual([])
  // Reversed (backward-model data): the response conditions, the source is trained where its weight allows.
  const [r] = tsvLineToFeatures('1.0 aa bbb\t1.0 c', { encode: ids, reverse: true })
  expect(r!.inputIds.slice(0, 4)).toEqual([1, EOS, 2, 3])
  expect(r!.labels.slice(0, 4)).toEqual([-1, 2, 3, EOS])
  // As in the original, a source weighted 0.0 (prepare4db.sh's default) leaves nothing to learn once reversed.
  expect(tsvLineToFeatures('0.0 aa bbb\t1.0 c', { encode: ids, reverse: true })).toEqual([])
})
