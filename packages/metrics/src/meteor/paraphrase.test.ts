import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { loadMeteorResources } from '../node/load-resources'
import { align } from './aligner'
import { meteor } from './meteor'
import { ParaphraseTable } from './paraphrase-table'
import { parseMeteorResources } from './resources'

// A paraphrase table in METEOR's format, written for this test (the real one is 59 MB and not available here).
const TABLE = ['0.5', 'kick the bucket', 'die', '0.5', 'die', 'kick the bucket', '0.1', 'automobile', 'car', ''].join('\n')

it('finds phrases and their paraphrases through the word trie', () => {
  const t = new ParaphraseTable(TABLE)
  expect(t.size).toBe(3)
  const ids = t.ids(['they', 'kick', 'the', 'bucket'])
  expect(ids[0]).toBe(-1)
  expect(t.phrasesAt(ids, 1)).toEqual([{ length: 3, paraphrase: t.ids(['die']) }])
})

it('aligns a multi-word paraphrase as one match, in both directions', () => {
  const resources = { functionWords: new Set<string>(), paraphrases: new ParaphraseTable(TABLE) }
  const a = align(['he', 'will', 'die', 'soon'], ['he', 'will', 'kick', 'the', 'bucket', 'soon'], ['exact', 'paraphrase'], resources)
  // exact: he, will, soon; paraphrase: die (1 test word) ~ kick the bucket (3 reference words).
  expect(a.testContentMatches).toEqual([3, 1])
  expect(a.referenceContentMatches).toEqual([3, 3])
  expect(a.chunks).toBe(1)
  const b = align(['he', 'will', 'kick', 'the', 'bucket'], ['he', 'will', 'die'], ['exact', 'paraphrase'], resources)
  expect(b.testContentMatches).toEqual([2, 3])
  expect(b.referenceContentMatches).toEqual([2, 1])
})

describeShared('METEOR with a paraphrase table loaded from a directory', ['meteor-data'], () => {
  it('loads paraphrase-en.gz, uses it by default, and scores paraphrases with weight 0.6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-pa-'))
    cpSync(sharedPath('meteor-data'), dir, { recursive: true })
    writeFileSync(join(dir, 'paraphrase-en.gz'), gzipSync(TABLE))
    const resources = await loadMeteorResources(dir)
    const hyp = ['he will die soon']
    const refs = [['he will kick the bucket soon']]
    const withPa = meteor(hyp, refs, { resources })
    expect(withPa.modules).toEqual(['exact', 'stem', 'synonym', 'paraphrase'])
    expect(withPa.evalId).toBe('meteor-1.5-wo-en-norm-0.85_0.2_0.6_0.75-ex_st_sy_pa-1.0_0.6_0.8_0.6')
    const without = meteor(hyp, refs, { resources, modules: ['exact', 'stem', 'synonym'] })
    expect(withPa.score).toBeGreaterThan(without.score)
    expect(withPa.stats.testContentMatches[3]).toBe(1)
  })
})

it('refuses the paraphrase module when no table is loaded', () => {
  const resources = parseMeteorResources({ functionWords: '', nonbreakingPrefixes: '' })
  expect(() => meteor(['a'], [['a']], { resources, modules: ['paraphrase'] })).toThrow(/no paraphrase table was loaded/)
})
