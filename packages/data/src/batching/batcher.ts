import type { ExampleSource, TrainingExample } from '../store/example'
import { padRows } from '../encode/padding'
import { seededRandom, shuffleInPlace } from '../random/seeded-random'

/** Where a batch stream is: the epoch and the index of the next batch in it. Save it to resume. */
export interface BatchPosition {
  epoch: number
  batch: number
}

export interface BatcherOptions {
  /**
   * Token budget per batch: rows × longest row (the padded size) never exceeds it. Give this or
   * `batchSize` (or both: then both limits hold).
   */
  tokensPerBatch?: number
  /** Rows per batch. */
  batchSize?: number
  /** Examples longer than this are excluded (and listed in `excluded`), as the original's loader drops them. */
  maxLength?: number
  /** Shuffle seed. Default 42 (the original's). */
  seed?: number
  /** Shuffle examples and batch order each epoch. Default true; false keeps the source order. */
  shuffle?: boolean
  /** Batches per length bucket: examples are sorted by length within buckets of about this many batches. Default 100 (the original's). */
  bucketBatches?: number
  /** This worker's index, for data-parallel training. Default 0. */
  rank?: number
  /** Number of workers; worker `rank` takes every `worldSize`-th batch. Default 1. */
  worldSize?: number
}

/** A padded batch: ids right-padded with 0, labels with -1 (causal attention never sees the padding). */
export interface Batch {
  inputIds: number[][]
  labels: number[][]
  /** The source indices of the rows. */
  examples: number[]
  /** Positions with a label (the tokens the loss is over). */
  labelledTokens: number
  /** Positions that are not padding. */
  realTokens: number
}

/**
 * Plans batches over an {@link ExampleSource} the way DialoGPT's bucketing loader does: each
 * epoch, a seeded shuffle of the examples, buckets of about `bucketBatches` batches sorted by length
 * (longest first), batches cut under the token budget and/or batch size, then a seeded shuffle of
 * the batch order. Every kept example appears exactly once per epoch (across all ranks); the plan
 * for an epoch depends only on `(seed, epoch)`, so a saved {@link BatchPosition} resumes the same
 * order. Nothing is read from the source to plan; {@link Batcher.batches} reads with prefetching.
 */
export class Batcher {
  /** Indices of the examples left out because they exceed `maxLength` or the token budget. */
  readonly excluded: number[] = []
  private readonly kept: number[] = []
  private readonly lengths: Int32Array
  private readonly options: Required<Omit<BatcherOptions, 'tokensPerBatch' | 'batchSize' | 'maxLength'>> & Pick<BatcherOptions, 'tokensPerBatch' | 'batchSize' | 'maxLength'>
  private cachedEpoch: { epoch: number; plan: number[][] } | null = null

  constructor(
    readonly source: ExampleSource,
    options: BatcherOptions,
  ) {
    const { tokensPerBatch, batchSize, maxLength } = options
    if (tokensPerBatch === undefined && batchSize === undefined) throw new RangeError('Batcher: give tokensPerBatch or batchSize')
    for (const [name, value] of Object.entries({ tokensPerBatch, batchSize, maxLength, bucketBatches: options.bucketBatches, worldSize: options.worldSize })) {
      if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new RangeError(`Batcher: ${name} must be a positive integer, got ${String(value)}`)
    }
    const worldSize = options.worldSize ?? 1
    const rank = options.rank ?? 0
    if (!(Number.isInteger(rank) && rank >= 0 && rank < worldSize)) throw new RangeError(`Batcher: rank must be an integer in [0, ${worldSize}), got ${rank}`)
    this.options = { seed: options.seed ?? 42, shuffle: options.shuffle ?? true, bucketBatches: options.bucketBatches ?? 100, rank, worldSize, tokensPerBatch, batchSize, maxLength }
    this.lengths = new Int32Array(source.size)
    const limit = Math.min(maxLength ?? Infinity, tokensPerBatch ?? Infinity)
    for (let i = 0; i < source.size; i++) {
      const n = source.lengthOf(i)
      this.lengths[i] = n
      if (n > limit || n === 0) this.excluded.push(i)
      else this.kept.push(i)
    }
    if (this.kept.length === 0) throw new RangeError(`Batcher: no example fits (${source.size} examples, all empty or longer than ${limit} tokens)`)
  }

  /** The shuffle seed. */
  get seed(): number {
    return this.options.seed
  }

  /** The batches of `epoch` for this rank, as lists of example indices. */
  plan(epoch: number): number[][] {
    if (this.cachedEpoch?.epoch === epoch) return this.cachedEpoch.plan
    const { seed, shuffle, bucketBatches, rank, worldSize, tokensPerBatch, batchSize } = this.options
    const random = seededRandom(seed, epoch)
    const order = [...this.kept]
    if (shuffle) shuffleInPlace(order, random)
    const meanLength = order.reduce((a, i) => a + this.lengths[i]!, 0) / order.length
    const rowsPerBatch = batchSize ?? Math.max(1, Math.floor(tokensPerBatch! / meanLength))
    const bucketSize = shuffle ? rowsPerBatch * bucketBatches : order.length
    const batches: number[][] = []
    for (let start = 0; start < order.length; start += bucketSize) {
      const bucket = order.slice(start, start + bucketSize)
      if (shuffle) bucket.sort((a, b) => this.lengths[b]! - this.lengths[a]! || a - b)
      let current: number[] = []
      let longest = 0
      for (const i of bucket) {
        const n = this.lengths[i]!
        const wouldBe = Math.max(longest, n) * (current.length + 1)
        if (current.length > 0 && ((batchSize !== undefined && current.length >= batchSize) || (tokensPerBatch !== undefined && wouldBe > tokensPerBatch))) {
          batches.push(current)
          current = []
          longest = 0
        }
        current.push(i)
        longest = Math.max(longest, n)
      }
      if (current.length > 0) batches.push(current)
    }
    if (shuffle) shuffleInPlace(batches, random)
    const plan = worldSize === 1 ? batches : batches.filter((_, b) => b % worldSize === rank)
    this.cachedEpoch = { epoch, plan }
    return plan
  }

  /** Number of batches this rank gets in `epoch`. */
  batchesIn(epoch: number): number {
    return this.plan(epoch).length
  }

  /** Reads and pads the batch at `position`. */
  async batchAt(position: BatchPosition): Promise<Batch> {
    const rows = this.plan(position.epoch)[position.batch]
    if (!rows) throw new RangeError(`epoch ${position.epoch} has ${this.batchesIn(position.epoch)} batches; there is no batch ${position.batch}`)
    return padBatch(
      rows,
      await Promise.all(rows.map((i) => this.source.get(i))),
    )
  }

  /**
   * Batches from `from` (default the start of epoch 0) onwards, across epochs without end, each
   * with the position of the batch after it (what to save to resume after it). The next batch is
   * read while the current one is in use.
   */
  async *batches(from: BatchPosition = { epoch: 0, batch: 0 }): AsyncGenerator<{ batch: Batch; position: BatchPosition; next: BatchPosition }> {
    let position = this.normalise(from)
    let pending = this.batchAt(position)
    for (;;) {
      const next = this.advance(position)
      const batch = await pending
      pending = this.batchAt(next)
      pending.catch(() => undefined) // surfaced when awaited
      yield { batch, position, next }
      position = next
    }
  }

  /** The position after `position` (wrapping to the next epoch). */
  advance(position: BatchPosition): BatchPosition {
    return this.normalise({ epoch: position.epoch, batch: position.batch + 1 })
  }

  private normalise(position: BatchPosition): BatchPosition {
    let { epoch, batch } = position
    if (!(Number.isInteger(epoch) && epoch >= 0 && Number.isInteger(batch) && batch >= 0)) throw new RangeError(`invalid batch position ${JSON.stringify(position)}`)
    while (batch >= this.batchesIn(epoch)) {
      batch -= this.batchesIn(epoch)
      epoch++
    }
    return { epoch, batch }
  }
}

/** Right-pads examples into a {@link Batch} (ids with 0, labels with -1). */
export function padBatch(indices: number[], examples: readonly TrainingExample[]): Batch {
  let labelledTokens = 0
  let realTokens = 0
  for (const e of examples) {
    realTokens += e.inputIds.length
    for (const y of e.labels) if (y !== -1) labelledTokens++
  }
  const inputIds = padRows(examples.map((e) => e.inputIds), { side: 'right', value: 0 }).rows
  const labels = padRows(examples.map((e) => e.labels), { side: 'right', value: -1 }).rows
  return { inputIds, labels, examples: indices, labelledTokens, realTokens }
}
