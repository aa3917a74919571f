import { expect, it } from 'vitest'
import {
  blandnessFilter,
  capitalsFilter,
  commonWordFilter,
  lengthFilter,
  longTokenFilter,
  markupFilter,
  mostFrequentWords,
  phraseBlocklistFilter,
  repetitionFilter,
  subredditFilter,
  trigrams,
  urlFilter,
} from './filters'
import type { Instance } from './instance'
import { filterPipeline } from './pipeline'

const inst = (target: string, source: string[] = ['how is it going ?'], subreddit?: string): Instance => ({ source, target, subreddit })
const dropped = (r: { keep: boolean; reason?: string }) => (r.keep ? undefined : r.reason)

it('drops URLs in source or target, including the __url__ placeholder', () => {
  expect(dropped(urlFilter(inst('see https://example.org')))).toBe('url')
  expect(dropped(urlFilter(inst('fine', ['www.example.org has it'])))).toBe('url')
  expect(dropped(urlFilter(inst('the __url__ says so')))).toBe('url')
  expect(urlFilter(inst('http is a protocol')).keep).toBe(true)
})

it('drops a target with one word three times in a row (not two, not scattered)', () => {
  expect(dropped(repetitionFilter(inst('no no no way')))).toBe('word-repetition')
  expect(repetitionFilter(inst('no no way no')).keep).toBe(true)
})

it('needs at least one common English word in the target, from the default list or a corpus', () => {
  expect(commonWordFilter()(inst('I think so!')).keep).toBe(true)
  expect(dropped(commonWordFilter()(inst('hola amigo muy bien')))).toBe('no-common-english-word')
  const top = mostFrequentWords(['el perro y el gato', 'el sol'], 1)
  expect(top).toEqual(['el'])
  expect(commonWordFilter(top)(inst('el fin')).keep).toBe(true)
})

it('drops markup brackets, and parentheses only when asked (as the original code does)', () => {
  expect(dropped(markupFilter()(inst('see [this]')))).toBe('markup')
  expect(markupFilter()(inst('fine (really)')).keep).toBe(true)
  expect(dropped(markupFilter({ parentheses: true })(inst('fine (really)')))).toBe('markup')
  expect(dropped(markupFilter()(inst('fine', ['ok', 'a [link] here'])))).toBe('markup')
})

it('drops long instances, long tokens and yelling', () => {
  expect(dropped(lengthFilter(5)(inst('one two three', ['four five six'])))).toBe('too-long')
  expect(lengthFilter(6)(inst('one two three', ['four five six'])).keep).toBe(true)
  expect(dropped(longTokenFilter()(inst(`word ${'x'.repeat(31)}`)))).toBe('long-token')
  expect(longTokenFilter()(inst('x'.repeat(30))).keep).toBe(true)
  // words counted across turns, whatever the whitespace; a token's length is in characters, not UTF-16 units
  expect(lengthFilter(7)(inst(' six\tseven ', ['one  two', '\nthree four\u00a0five '])).keep).toBe(true)
  expect(dropped(lengthFilter(6)(inst(' six\tseven ', ['one  two', '\nthree four\u00a0five '])))).toBe('too-long')
  expect(longTokenFilter()(inst('😀'.repeat(30))).keep).toBe(true)
  expect(dropped(longTokenFilter()(inst('😀'.repeat(31))))).toBe('long-token')
  expect(dropped(capitalsFilter(inst('that is GREAT')))).toBe('capitals')
  expect(capitalsFilter(inst('that is GREA t')).keep).toBe(true)
  expect(dropped(capitalsFilter(inst('calm', ['fine', 'WHAAAT now'])))).toBe('capitals')
  // turns are tested one by one: nothing matches across the boundary a join would make
  expect(capitalsFilter(inst('ABC', ['DE'])).keep).toBe(true)
  expect(urlFilter(inst('x', ['see www.'])).keep).toBe(true)
})

it('matches blocklisted phrases as whole words, and blocked subreddits', () => {
  const f = phraseBlocklistFilter(['bad phrase'])
  expect(dropped(f(inst('what a Bad  phrase!')))).toBe('blocklisted-phrase')
  expect(f(inst('badphrase is fine')).keep).toBe(true)
  expect(dropped(subredditFilter(['/r/Spam'])(inst('x', [], 'spam')))).toBe('blocked-subreddit')
  expect(subredditFilter(['spam'])(inst('x', [], 'news')).keep).toBe(true)
})

it('drops bland targets whose trigrams are mostly very common', () => {
  const counts = new Map([['i do not', 5000], ['do not know', 4000]])
  const f = blandnessFilter((g) => counts.get(g) ?? 0)
  expect(trigrams('I do not know')).toEqual(['i do not', 'do not know'])
  expect(dropped(f(inst('I do not know')))).toBe('bland')
  expect(f(inst('I do not know why the sky is green')).keep).toBe(true)
})

it('counts every instance once, under the first reason that dropped it', () => {
  const p = filterPipeline([urlFilter, repetitionFilter, markupFilter()])
  for (const t of ['ok then', 'www.x.com no no no', 'no no no', '[x]', 'fine']) p.apply(inst(t))
  expect(p.counts).toEqual({ seen: 5, kept: 2, dropped: { url: 1, 'word-repetition': 1, markup: 1 } })
  expect(p.counts.kept + Object.values(p.counts.dropped).reduce((a, b) => a + b, 0)).toBe(p.counts.seen)
})
