import { checkCorpus } from '../errors'
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

/** What {@link bleu} and {@link nist} both report. Arrays are indexed by order - 1. */
export interface MtevalScores {
  /** Cumulative scores of orders 1..n: what mteval's last table, and DialoGPT, call BLEU-n and NIST-n. */
  cumulative: number[]
  /** Each order on its own (BLEU: smoothed precision without the brevity penalty; NIST: information with the length penalty). */
  individual: number[]
  stats: MtevalStats
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

  // Every reference n-gram (orders 1..maxOrder) of every reference set, counted in a trie. Orders
  // above maxOrder cannot affect scores up to maxOrder, so they are not counted.
  const trie = new NgramTrie()
  let refWords = 0
  const ref = new Array<number>(maxOrder).fill(0)
  const refIds = refTokens.map((set) =>
    set.map((words) => {
      refWords += words.length
      for (let n = 1; n <= maxOrder; n++) ref[n - 1]! += Math.max(words.length - n + 1, 0)
      const ids = words.map((w) => trie.wordId(w))
      trie.forEachNgram(ids, maxOrder, true, (node) => trie.count[node]!++)
      return ids
    }),
  )
  // NIST information of each n-gram: -log2(count / count of its (n-1)-gram prefix), unigrams
  // against the word total. Perl quirk: `$mgram ? ... : ...` treats the prefix "0" as false.
  const zeroNode = trie.vocabulary.has('0') ? trie.child(NgramTrie.ROOT, trie.vocabulary.get('0')!) : -1
  const info = (node: number): number => {
    const parent = trie.parent[node]!
    const denominator = parent !== NgramTrie.ROOT && parent !== zeroNode ? trie.count[parent]! : refWords
    return -Math.log(trie.count[node]! / denominator) / Math.log(2)
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
    const refMax = new Map<number, number>()
    for (const set of refIds) {
      const ids = set[seg]!
      const r = ids.length
      if (closest < 0 || Math.abs(c - r) < Math.abs(c - closest) || (Math.abs(c - r) === Math.abs(c - closest) && r < closest)) closest = r
      const counts = new Map<number, number>()
      trie.forEachNgram(ids, maxOrder, false, (node) => counts.set(node, (counts.get(node) ?? 0) + 1))
      for (const [node, k] of counts) if (k > (refMax.get(node) ?? 0)) refMax.set(node, k)
    }
    refLength += closest
    // Hypothesis n-grams that no reference has are not in the trie and cannot match.
    const hypCounts = new Map<number, number>()
    const hypIds = hyp.map((w) => trie.vocabulary.get(w) ?? -1)
    trie.forEachNgram(hypIds, maxOrder, false, (node) => hypCounts.set(node, (hypCounts.get(node) ?? 0) + 1))
    for (const [node, k] of hypCounts) {
      const max = refMax.get(node)
      if (max === undefined) continue
      const clipped = Math.min(k, max)
      const order = trie.depth[node]!
      match[order - 1]! += clipped
      tstInfo[order - 1]! += info(node) * clipped
    }
  })
  return { maxOrder, nRefSets: references.length, match, tst, ref, tstInfo, refLength, refWords }
}

function splitTokens(tokenized: string): string[] {
  return tokenized === '' ? [] : tokenized.split(' ')
}

/** N-grams as trie nodes over word ids: node ids are cheap map keys, unlike joined strings. */
class NgramTrie {
  static readonly ROOT = 0
  readonly vocabulary = new Map<string, number>()
  readonly count: number[] = [0]
  readonly depth: number[] = [0]
  readonly parent: number[] = [-1]
  // Edges (node, word) → child in an open-addressing hash table of typed arrays: far cheaper
  // than a Map per node, or a Map keyed by doubles.
  private capacity = 1 << 16
  private edgeNode = new Int32Array(this.capacity).fill(-1)
  private edgeWord = new Int32Array(this.capacity)
  private edgeChild = new Int32Array(this.capacity)
  private edges = 0

  wordId(word: string): number {
    let id = this.vocabulary.get(word)
    if (id === undefined) this.vocabulary.set(word, (id = this.vocabulary.size))
    return id
  }

  private slot(node: number, word: number): number {
    const mask = this.capacity - 1
    let i = (Math.imul(node, 0x9e3779b1) ^ Math.imul(word, 0x85ebca6b)) & mask
    while (this.edgeNode[i] !== -1 && (this.edgeNode[i] !== node || this.edgeWord[i] !== word)) i = (i + 1) & mask
    return i
  }

  child(node: number, word: number): number {
    const i = this.slot(node, word)
    return this.edgeNode[i] === -1 ? -1 : this.edgeChild[i]!
  }

  private addChild(node: number, word: number): number {
    if (2 * (this.edges + 1) > this.capacity) this.grow()
    const id = this.count.length
    const i = this.slot(node, word)
    this.edgeNode[i] = node
    this.edgeWord[i] = word
    this.edgeChild[i] = id
    this.edges++
    this.count.push(0)
    this.depth.push(this.depth[node]! + 1)
    this.parent.push(node)
    return id
  }

  private grow(): void {
    const [nodes, words, children] = [this.edgeNode, this.edgeWord, this.edgeChild]
    this.capacity *= 2
    this.edgeNode = new Int32Array(this.capacity).fill(-1)
    this.edgeWord = new Int32Array(this.capacity)
    this.edgeChild = new Int32Array(this.capacity)
    for (let k = 0; k < nodes.length; k++) {
      if (nodes[k] === -1) continue
      const i = this.slot(nodes[k]!, words[k]!)
      this.edgeNode[i] = nodes[k]!
      this.edgeWord[i] = words[k]!
      this.edgeChild[i] = children[k]!
    }
  }

  /** Calls `visit` with the node of every n-gram of orders 1..maxOrder; unknown ones are created or skipped. */
  forEachNgram(ids: readonly number[], maxOrder: number, create: boolean, visit: (node: number) => void): void {
    for (let i = 0; i < ids.length; i++) {
      let node = NgramTrie.ROOT
      for (let n = 1; n <= maxOrder && i + n <= ids.length; n++) {
        const word = ids[i + n - 1]!
        let next = word < 0 ? -1 : this.child(node, word)
        if (next < 0) {
          if (!create || word < 0) break
          next = this.addChild(node, word)
        }
        node = next
        visit(node)
      }
    }
  }
}
