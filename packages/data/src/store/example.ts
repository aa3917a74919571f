/**
 * One training example as the trainer consumes it: token ids and aligned labels (`labels[t]` is
 * what position `t` predicts, `-1` = not trained), with no padding.
 */
export interface TrainingExample {
  inputIds: readonly number[]
  labels: readonly number[]
}

/**
 * Random access to training examples: what the batcher and the trainer read from. The lengths are
 * known up front (from an index) so that batches can be planned without reading any example.
 */
export interface ExampleSource {
  /** Number of examples. */
  readonly size: number
  /** Token count of example `index` (no padding). */
  lengthOf(index: number): number
  /** Reads example `index`. */
  get(index: number): Promise<TrainingExample>
}

/** Strips the padding `makeFeature` adds (trailing positions with label -1 and id 0). */
export function unpadded(example: { inputIds: readonly number[]; labels: readonly number[] }): TrainingExample {
  if (example.inputIds.length !== example.labels.length) throw new RangeError(`inputIds has ${example.inputIds.length} positions but labels has ${example.labels.length}`)
  let end = example.labels.length
  while (end > 0 && example.labels[end - 1] === -1 && example.inputIds[end - 1] === 0) end--
  return { inputIds: example.inputIds.slice(0, end), labels: example.labels.slice(0, end) }
}

/** An {@link ExampleSource} over examples held in memory (padding from `makeFeature` is stripped). */
export class MemoryExamples implements ExampleSource {
  private readonly examples: TrainingExample[]

  constructor(examples: readonly { inputIds: readonly number[]; labels: readonly number[] }[]) {
    this.examples = examples.map(unpadded)
  }

  get size(): number {
    return this.examples.length
  }

  lengthOf(index: number): number {
    return this.at(index).inputIds.length
  }

  get(index: number): Promise<TrainingExample> {
    return Promise.resolve(this.at(index))
  }

  private at(index: number): TrainingExample {
    const e = this.examples[index]
    if (!e) throw new RangeError(`example ${index} is outside [0, ${this.examples.length})`)
    return e
  }
}

/** An {@link ExampleSource} as given, or one over an array of examples. */
export function asExampleSource(data: ExampleSource | readonly { inputIds: readonly number[]; labels: readonly number[] }[]): ExampleSource {
  return Array.isArray(data) ? new MemoryExamples(data) : (data as ExampleSource)
}
