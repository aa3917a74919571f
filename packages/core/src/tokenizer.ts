import { decodeGpt2, encodeGpt2, EOS_TOKEN_ID, GPT2_VOCAB_SIZE } from '@dialogpt/data'

export { EOS_TOKEN_ID } from '@dialogpt/data'

/**
 * GPT-2's byte-level BPE (r50k_base ranks from `gpt-tokenizer`, merged by `@dialogpt/data`'s
 * `encodeGpt2`: the same ids, linear-logarithmic in the longest word, no stack overflow on huge
 * input). Text is always encoded as text: a literal `<|endoftext|>` typed by a user never becomes
 * the special token. Turns are joined with {@link EOS_TOKEN_ID} by the caller, as DialoGPT does.
 */
export class GPT2Tokenizer {
  readonly eosTokenId = EOS_TOKEN_ID
  readonly vocabSize = GPT2_VOCAB_SIZE

  encode(text: string): number[] {
    return encodeGpt2(text)
  }

  /** The text of `ids`; an incomplete UTF-8 character at the end becomes U+FFFD. */
  decode(ids: readonly number[]): string {
    return decodeGpt2(ids)
  }

  /** Each turn's ids followed by eos: DialoGPT's prompt for a dialogue history. */
  encodeTurns(turns: readonly string[]): number[] {
    const out: number[] = []
    for (const t of turns) {
      for (const id of this.encode(t)) out.push(id)
      out.push(EOS_TOKEN_ID)
    }
    return out
  }
}
