import { describe, expect, it } from 'vitest'
import type { RedditComment } from './comment'
import { commentRule, minimalNormSentence } from './extract'
import { gptNormSentence } from './gpt-norm'
import { threadSessions, wordCount } from './sessions'
import { TrigramCounter } from './trigram-counter'

const c = (id: string, parentId: string, body: string, score = 1): RedditComment => ({ id, parentId, linkId: 'L', body, score })
const long = Array.from({ length: 31 }, (_, i) => `w${i}`).join(' ')

describe('threadSessions', () => {
  // L ─ a ─ b ─ d
  //       │   └ e (31 words)
  //       └ c
  const thread = [c('a', 'L', 'root comment here'), c('b', 'a', 'reply to root'), c('c', 'a', 'another reply'), c('d', 'b', 'deeper reply now'), c('e', 'b', long)]

  it('emits a root-to-leaf path per leaf, parents first; a too-long leaf gives nothing', () => {
    expect(threadSessions(thread).map((s) => s.ids)).toEqual([['a', 'c'], ['a', 'b', 'd']])
    expect(threadSessions(thread)[1]!.turns).toEqual(['root comment here', 'reply to root', 'deeper reply now'])
  })

  it('a too-long ancestor cuts the chain there; maxDepth keeps the last turns; minDepth drops short ones', () => {
    const t = [c('a', 'L', long), c('b', 'a', 'x y'), c('d', 'b', 'p q'), c('f', 'd', 'r s')]
    expect(threadSessions(t).map((s) => s.ids)).toEqual([['b', 'd', 'f']])
    expect(threadSessions(t, { maxDepth: 2 }).map((s) => s.ids)).toEqual([['d', 'f']])
    expect(threadSessions(t, { minDepth: 4 })).toEqual([])
  })

  it('with leavesOnly false, every comment with a parent chain is a target', () => {
    expect(threadSessions(thread, { leavesOnly: false }).map((s) => s.ids.join(''))).toEqual(['ab', 'ac', 'abd'])
  })

  it('agrees with a plain reading of get_convo on random threads, small and large, with repeated ids and cycles', () => {
    // The reference: every comment sorted by (parent id, id); leaves (ids nobody replies to) as
    // targets; walk up through the last comment with the parent's id. Comments whose parent links
    // lead back to themselves (cycles: corrupt data) have no parent.
    const reference = (t: RedditComment[], o: { leavesOnly: boolean; minDepth: number; maxDepth: number; maxTurnWords: number }) => {
      const byId = new Map(t.map((x) => [x.id, x]))
      const onCycle = new Set(
        t.filter((x) => {
          let y = byId.get(x.parentId)
          for (let steps = 0; y && steps <= t.length; steps++, y = byId.get(y.parentId)) if (y === x) return true
          return false
        }),
      )
      const parentOf = (x: RedditComment) => (onCycle.has(x) ? undefined : byId.get(x.parentId))
      const parents = new Set(t.filter((x) => !onCycle.has(x)).map((x) => x.parentId))
      const sorted = [...t].sort((a, b) => (a.parentId < b.parentId ? -1 : a.parentId > b.parentId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const out: string[][] = []
      for (const target of sorted) {
        if (o.leavesOnly && parents.has(target.id)) continue
        const chain: RedditComment[] = []
        for (let x: RedditComment | undefined = target; x && chain.length < o.maxDepth && !chain.some((y) => y.id === x!.id); x = parentOf(x)) {
          if (minimalNormSentence(x.body).split(/\s+/).filter(Boolean).length > o.maxTurnWords) break
          chain.push(x)
        }
        if (chain.length >= o.minDepth) out.push(chain.reverse().map((x) => x.id))
      }
      return out
    }
    let seed = 99
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    for (let k = 0; k < 400; k++) {
      const n = 1 + rand(k % 2 ? 40 : 12)
      const ids = Array.from({ length: n }, () => `c${rand(n + 2)}`)
      const t = ids.map((id) => c(id, rand(4) ? `c${rand(n + 2)}` : 'L', rand(6) ? `${'w '.repeat(1 + rand(8))}end` : long.slice(0, rand(3) ? long.length : 40)))
      const o = { leavesOnly: rand(3) > 0, minDepth: 1 + rand(3), maxDepth: 1 + rand(6), maxTurnWords: 30 }
      expect(threadSessions(t, o).map((x) => x.ids), JSON.stringify({ t, o })).toEqual(reference(t, o))
    }
  })

  it('cuts cycles of parent links and counts them: no session runs through one', () => {
    const stats = { cyclesCut: 0 }
    // a ⇄ b is a 2-cycle; c replies to a; d replies to itself.
    const thread = [c('a', 'b', 'one two'), c('b', 'a', 'three four'), c('c', 'a', 'five six'), c('d', 'd', 'seven eight'), c('e', 'd', 'nine ten')]
    expect(threadSessions(thread, {}, stats).map((s) => s.ids)).toEqual([['a', 'c'], ['d', 'e']])
    expect(stats.cyclesCut).toBe(2)
    expect(threadSessions([c('x', 'y', 'one two'), c('y', 'x', 'three four')], { leavesOnly: false })).toEqual([])
  })
})

describe('commentRule', () => {
  it('drops deleted, quoting and one-word comments, as the original extractor', () => {
    expect(commentRule(c('a', 'L', '[deleted]'))).toEqual({ keep: false, reason: 'deleted' })
    expect(commentRule(c('a', 'L', '&gt; you said\nno'))).toEqual({ keep: false, reason: 'quote' })
    expect(commentRule(c('a', 'L', 'yes'))).toEqual({ keep: false, reason: 'too-few-words' })
    expect(commentRule(c('a', 'L', 'yes\\ \n'))).toEqual({ keep: false, reason: 'too-few-words' })
    expect(commentRule(c('a', 'L', 'yes indeed'))).toEqual({ keep: true })
  })
})

describe('gptNormSentence', () => {
  it('replaces links, drops hashtags, expands abbreviations, removes odd characters and splits punctuation', () => {
    expect(gptNormSentence('see https://x.com/a?b=1 now')).toBe('see __url__ now')
    expect(gptNormSentence('go here:http://a.b #tag ok')).toBe('go here : __url__ ok')
    expect(gptNormSentence('I left b/c it was w/o heat, w/ you j/k')).toBe('I left because it was without heat , with you just kidding')
    expect(gptNormSentence("Don't do that!!! It's *really* bad... :)")).toBe("Don't do that ! ! ! It's really bad ... :)")
    expect(gptNormSentence('Price: $5.50 & more')).toBe('Price : 5.50 more')
    expect(gptNormSentence('Call 555 123 4567 today')).toBe('Call 555 123 4567 today')
  })
})

describe('TrigramCounter', () => {
  it('counts exactly on a small corpus and never under-counts on a crowded one', () => {
    const exact = new TrigramCounter()
    for (let i = 0; i < 5; i++) exact.add('a b c')
    exact.add('x y z')
    expect([exact.count('a b c'), exact.count('x y z'), exact.count('n o p')]).toEqual([5, 1, 0])
    const small = new TrigramCounter(64, 3)
    const truth = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      const k = `k${(i * 7919) % 300}`
      small.add(k)
      truth.set(k, (truth.get(k) ?? 0) + 1)
    }
    for (const [k, n] of truth) expect(small.count(k)).toBeGreaterThanOrEqual(n)
  })
})

describe('wordCount', () => {
  it('counts what minimalNormSentence + split(/\\s+/) counts, on random text with spaces, backslashes and Unicode spaces', () => {
    const pieces = ['a', 'word', '\\', '\\\\', ' ', '  ', '\n', '\r\n', '\t', '\u00a0', '\u2003', '\u3000', '\ufeff', 'é', '😀', '\u200b', 'x\\y']
    let seed = 7
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    for (let k = 0; k < 3000; k++) {
      const text = Array.from({ length: rand(12) }, () => pieces[rand(pieces.length)]!).join('')
      const words = minimalNormSentence(text).split(/\s+/).filter(Boolean).length
      expect(wordCount(text), JSON.stringify(text)).toBe(words)
      // With a limit: exact up to it, limit + 1 past it.
      expect(wordCount(text, 3), JSON.stringify(text)).toBe(Math.min(words, 4))
    }
  })
})
