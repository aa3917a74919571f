import type { Alignment, MatchCounts } from './aligner'

/** METEOR's parameters: α (precision/recall balance), β (fragmentation exponent), γ (fragmentation weight), δ (content vs function words). */
export interface MeteorParameters {
  alpha: number
  beta: number
  gamma: number
  delta: number
}

/** METEOR 1.5's English parameters for its default `rank` task. */
export const METEOR_ENGLISH: MeteorParameters = { alpha: 0.85, beta: 0.2, gamma: 0.6, delta: 0.75 }

/** METEOR's sufficient statistics for one segment or, summed, a corpus. */
export interface MeteorStats extends MatchCounts {
  testLength: number
  referenceLength: number
  testWordMatches: number
  referenceWordMatches: number
}

/** Scores derived from {@link MeteorStats}. */
export interface MeteorScore {
  precision: number
  recall: number
  f1: number
  fMean: number
  fragPenalty: number
  /** `fMean · (1 - fragPenalty)`, 0 when undefined, never negative. */
  score: number
}

export function statsFromAlignment(a: Alignment): MeteorStats {
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0)
  return {
    testLength: a.testWords.length,
    referenceLength: a.referenceWords.length,
    testFunctionWords: a.testFunctionWords,
    referenceFunctionWords: a.referenceFunctionWords,
    testContentMatches: a.testContentMatches.slice(),
    referenceContentMatches: a.referenceContentMatches.slice(),
    testFunctionMatches: a.testFunctionMatches.slice(),
    referenceFunctionMatches: a.referenceFunctionMatches.slice(),
    chunks: a.chunks,
    testWordMatches: sum(a.testContentMatches) + sum(a.testFunctionMatches),
    referenceWordMatches: sum(a.referenceContentMatches) + sum(a.referenceFunctionMatches),
  }
}

export function emptyStats(modules: number): MeteorStats {
  const zeros = () => new Array<number>(modules).fill(0)
  return {
    testLength: 0,
    referenceLength: 0,
    testFunctionWords: 0,
    referenceFunctionWords: 0,
    testContentMatches: zeros(),
    referenceContentMatches: zeros(),
    testFunctionMatches: zeros(),
    referenceFunctionMatches: zeros(),
    chunks: 0,
    testWordMatches: 0,
    referenceWordMatches: 0,
  }
}

const isPerfect = (s: MeteorStats) => s.testWordMatches === s.testLength && s.referenceWordMatches === s.referenceLength && s.chunks === 1

/** Adds a segment's statistics to a corpus total. A perfectly matched segment's single chunk is not added (METEOR's rule). */
export function addStats(total: MeteorStats, s: MeteorStats): void {
  total.testLength += s.testLength
  total.referenceLength += s.referenceLength
  total.testFunctionWords += s.testFunctionWords
  total.referenceFunctionWords += s.referenceFunctionWords
  for (let i = 0; i < s.testContentMatches.length; i++) {
    total.testContentMatches[i]! += s.testContentMatches[i]!
    total.referenceContentMatches[i]! += s.referenceContentMatches[i]!
    total.testFunctionMatches[i]! += s.testFunctionMatches[i]!
    total.referenceFunctionMatches[i]! += s.referenceFunctionMatches[i]!
  }
  if (!isPerfect(s)) total.chunks += s.chunks
  total.testWordMatches += s.testWordMatches
  total.referenceWordMatches += s.referenceWordMatches
}

/** METEOR's formula on sufficient statistics, in METEOR's order of floating-point operations. */
export function scoreStats(s: MeteorStats, weights: readonly number[], p: MeteorParameters): MeteorScore {
  const { alpha, beta, gamma, delta } = p
  const testWeightedLength = delta * (s.testLength - s.testFunctionWords) + (1.0 - delta) * s.testFunctionWords
  const referenceWeightedLength = delta * (s.referenceLength - s.referenceFunctionWords) + (1.0 - delta) * s.referenceFunctionWords
  let testWeighted = 0
  let referenceWeighted = 0
  for (let i = 0; i < weights.length; i++) testWeighted += s.testContentMatches[i]! * weights[i]! * delta
  for (let i = 0; i < weights.length; i++) referenceWeighted += s.referenceContentMatches[i]! * weights[i]! * delta
  for (let i = 0; i < weights.length; i++) testWeighted += s.testFunctionMatches[i]! * weights[i]! * (1.0 - delta)
  for (let i = 0; i < weights.length; i++) referenceWeighted += s.referenceFunctionMatches[i]! * weights[i]! * (1.0 - delta)
  const precision = testWeighted / testWeightedLength
  const recall = referenceWeighted / referenceWeightedLength
  const f1 = (2 * precision * recall) / (precision + recall)
  const fMean = 1.0 / ((1.0 - alpha) / precision + alpha / recall)
  const frag = isPerfect(s) ? 0 : s.chunks / ((s.testWordMatches + s.referenceWordMatches) / 2)
  const fragPenalty = gamma * Math.pow(frag, beta)
  const raw = fMean * (1.0 - fragPenalty)
  return { precision, recall, f1, fMean, fragPenalty, score: Number.isNaN(raw) ? 0 : Math.max(raw, 0) }
}
