import { checkCorpus } from '../errors'
import { countAllNgrams } from '../text/ngrams'
import { dialogptXmlText, mtevalTokenize } from './tokenize'

/** Options shared by {@link bleu}, {@link nist} and {@link mtevalStats}. */
export interface MtevalOptions {
  /** mteval's `-c`: keep case. Default false (mteval lower-cases ASCII letters). */
  caseSensitive?: boolean
  /** Highest n-gram order to score, 1..9 (mteval computes 9). Default 4. */
  maxOrder?: number
  /**
   * Replace `&` and `<` with spaces first, as DialoGPT's `_write_xml` does before mteval runs.
   * Default true, which is what the DSTC-7 / DialoGPT numbers include.
   */
  dialogptXml?: boolean
}

/**
 * mteval-v14c's corpus sufficient statistics. Arrays are indexed by order - 1.
 */
export interface MtevalStats {
  maxOrder: number
  /** Number of reference sets (mteval's `nsys` in the NIST length penalty). */
  nRefSets: number
  /** Clipped n-gram matches: min(hyp count, max count in any one reference), summed. */
  match: number[]
  /** Hypothesis n-grams. */
  tst: number[]
  /** Reference n-grams over all reference sets. */
  ref: number[]
  /** NIST information of the clipped matches. */
  tstInfo: number[]
  /** Sum over segments of the closest reference length (ties to the shorter), for BLEU's brevity penalty. */
  refLength: number
  /** All reference words over all reference sets, for NIST's length penalty. */
  refWords: number
}

/**
 * Computes mteval-v14c's sufficient statistics for a corpus: every reference set is one
 * `string[]` parallel to `hypotheses`, as mteval takes one `<refset>` per reference file.
 */
export function mtevalStats(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: MtevalOptions = {},
): MtevalStats {
  checkCorpus(hypotheses, references)
  const maxOrder = options.maxOrder ?? 4
  if (!Number.isInteger(maxOrder) || maxOrder < 1 || maxOrder > 9)
    throw new RangeError(`maxOrder must be an integer from 1 to 9, got ${maxOrder}`)
  const prepare = (line: string) =>
    splitTokens(mtevalTokenize(options.dialogptXml === false ? line : dialogptXmlText(line), { caseSensitive: options.caseSensitive }))

  const hypTokens = hypotheses.map(prepare)
  const refTokens = references.map((set) => set.map(prepare))

  // NIST information weights: n-gram counts over every reference segment of every reference set.
  // (Orders above maxOrder cannot affect scores up to maxOrder, so they are not counted.)
  const refCounts = new Map<string, number>()
  let refWords = 0
  const ref = new Array<number>(maxOrder).fill(0)
  for (const set of refTokens)
    for (const words of set) {
      refWords += words.length
      for (let n = 1; n <= maxOrder; n++) ref[n - 1]! += Math.max(words.length - n + 1, 0)
      for (const [g, c] of countAllNgrams(words, maxOrder)) refCounts.set(g, (refCounts.get(g) ?? 0) + c)
    }
  const info = (ngram: string): number => {
    const cut = ngram.lastIndexOf(' ')
    const prefix = cut < 0 ? '' : ngram.slice(0, cut)
    const count = refCounts.get(ngram)!
    // Perl quirk: `$mgram ? ... : ...` treats the prefix "0" as false, so it falls back to the word total.
    const denominator = prefix !== '' && prefix !== '0' ? refCounts.get(prefix)! : refWords
    return -Math.log(count / denominator) / Math.log(2)
  }

  const match = new Array<number>(maxOrder).fill(0)
  const tst = new Array<number>(maxOrder).fill(0)
  const tstInfo = new Array<number>(maxOrder).fill(0)
  let refLength = 0
  hypTokens.forEach((hyp, seg) => {
    const c = hyp.length
    for (let n = 1; n <= maxOrder; n++) tst[n - 1]! += Math.max(c - n + 1, 0)
    // Closest reference length; ties go to the shorter one.
    let closest = -1
    const refMax = new Map<string, number>()
    for (const set of refTokens) {
      const words = set[seg]!
      const r = words.length
      if (closest < 0 || Math.abs(c - r) < Math.abs(c - closest) || (Math.abs(c - r) === Math.abs(c - closest) && r < closest)) closest = r
      for (const [g, k] of countAllNgrams(words, maxOrder)) if (k > (refMax.get(g) ?? 0)) refMax.set(g, k)
    }
    refLength += closest
    for (const [g, k] of countAllNgrams(hyp, maxOrder)) {
      const max = refMax.get(g)
      if (max === undefined) continue
      const clipped = Math.min(k, max)
      const order = countSpaces(g) + 1
      match[order - 1]! += clipped
      tstInfo[order - 1]! += info(g) * clipped
    }
  })
  return { maxOrder, nRefSets: references.length, match, tst, ref, tstInfo, refLength, refWords }
}

function splitTokens(tokenized: string): string[] {
  return tokenized === '' ? [] : tokenized.split(' ')
}

function countSpaces(s: string): number {
  let k = 0
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 32) k++
  return k
}
