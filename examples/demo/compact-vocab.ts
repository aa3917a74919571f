// The demo's tiny models read a compact vocabulary: the GPT-2 BPE ids that occur in its data,
// renumbered 0..n-1. Logits over ~1k ids instead of 50,257 make a from-scratch model trainable in
// a minute on two cores; text is still tokenized and detokenized with GPT-2's BPE.
import type { ExampleSource, TrainingExample } from '@dialogpt/data'

export class CompactVocab {
  private readonly toCompact = new Map<number, number>()
  readonly toGpt2: number[]

  constructor(ids: Iterable<number>, readonly unknownGpt2Id: number) {
    this.toGpt2 = [...new Set([unknownGpt2Id, ...ids])].sort((a, b) => a - b)
    this.toGpt2.forEach((id, i) => this.toCompact.set(id, i))
  }

  get size(): number {
    return this.toGpt2.length
  }

  /** GPT-2 id → compact id; ids the data never had map to the unknown id's slot. */
  encode(ids: readonly number[]): number[] {
    return ids.map((id) => this.toCompact.get(id) ?? this.toCompact.get(this.unknownGpt2Id)!)
  }

  decode(ids: readonly number[]): number[] {
    return ids.map((id) => this.toGpt2[id]!)
  }

  /** An {@link ExampleSource} that reads `source` and renumbers ids and labels (-1 kept). */
  wrap(source: ExampleSource): ExampleSource {
    return {
      size: source.size,
      lengthOf: (i) => source.lengthOf(i),
      get: async (i): Promise<TrainingExample> => {
        const e = await source.get(i)
        return { inputIds: this.encode(e.inputIds), labels: e.labels.map((y) => (y === -1 ? -1 : this.encode([y])[0]!)) }
      },
    }
  }
}
