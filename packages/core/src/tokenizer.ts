import { decode, encode } from 'gpt-tokenizer/encoding/r50k_base'

/** GPT-2's end-of-text id, which DialoGPT uses to separate turns (and as padding). */
export const EOS_TOKEN_ID = 50256

/**
 * GPT-2's byte-level BPE (r50k_base, via `gpt-tokenizer`). Text is always encoded as text: a
 * literal `<|endoftext|>` typed by a user never becomes the special token. Turns are joined
 * with {@link EOS_TOKEN_ID} by the caller, as DialoGPT does.
 */
export class GPT2Tokenizer {
  readonly eosTokenId = EOS_TOKEN_ID
  readonly vocabSize = 50257

  encode(text: string): number[] {
    return encode(text, { disallowedSpecial: new Set() })
  }

  decode(ids: readonly number[]): string {
    return decode(ids)
  }

  /** Each turn's ids followed by eos: DialoGPT's prompt for a dialogue history. */
  encodeTurns(turns: readonly string[]): number[] {
    return turns.flatMap((t) => [...this.encode(t), EOS_TOKEN_ID])
  }
}
