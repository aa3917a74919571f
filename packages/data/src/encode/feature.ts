import { EOS_TOKEN_ID } from './gpt2-bpe'

/** GPT-2's `<|endoftext|>`, which joins turns (the same as {@link EOS_TOKEN_ID}). */
export const EOS = EOS_TOKEN_ID

/** The label of a position that is not trained (the original's ignore index). */
export const IGNORE = -1

/**
 * One training example as DialoGPT's `prepro.py` builds it. Labels are already aligned:
 * `labels[t]` is the token position `t` must predict (`-1` = not trained).
 */
export interface Feature {
  inputIds: number[]
  labels: number[]
  /** Loss weight per position (stored by the original, never used by its loss). */
  weights: number[]
  /** Turn index per position (the eos closing turn i-1 carries type i); unused in training. */
  tokenTypeIds: number[]
  /** Length after padding to a multiple of 8. */
  inputLength: number
}

/**
 * DialoGPT's `_make_feature`: turns joined by eos (no eos after the last input token), the first
 * turn never trained, every later turn with a non-zero weight trained on its tokens and the eos
 * that follows it, trailing untrained positions trimmed, then padded to a multiple of 8 with id 0
 * and label -1. Returns `null` when no turn after the first has a weight (nothing to learn).
 */
export function makeFeature(turns: readonly (readonly number[])[], weights: readonly number[], eos = EOS): Feature | null {
  if (turns.length !== weights.length) throw new RangeError(`${turns.length} turns but ${weights.length} weights`)
  if (weights.slice(1).every((w) => w === 0)) return null
  let inputIds: number[] = []
  let labels: number[] = []
  let lossWeights: number[] = []
  let types: number[] = []
  turns.forEach((turn, i) => {
    inputIds.push(...turn, eos)
    if (i === 0) {
      labels.push(...turn.map(() => IGNORE))
      lossWeights.push(...turn.map(() => 0))
      types.push(...turn.map(() => 0))
    } else {
      const w = weights[i]!
      labels.push(...(w !== 0 ? [...turn, eos] : new Array<number>(turn.length + 1).fill(IGNORE)))
      lossWeights.push(...new Array<number>(turn.length + 1).fill(w))
      types.push(...new Array<number>(turn.length + 1).fill(i))
    }
  })
  inputIds.pop()
  // Labels are one position ahead of the inputs: the first turn's labels stop before its eos.
  let end = inputIds.length
  while (end > 0 && labels[end - 1] === IGNORE) end--
  inputIds = inputIds.slice(0, end)
  labels = labels.slice(0, end)
  lossWeights = lossWeights.slice(0, end)
  types = types.slice(0, end)
  const padded = Math.ceil(end / 8) * 8
  const pad = <T>(xs: T[], value: T) => [...xs, ...new Array<T>(padded - xs.length).fill(value)]
  return { inputIds: pad(inputIds, 0), labels: pad(labels, IGNORE), weights: pad(lossWeights, 0), tokenTypeIds: pad(types, 0), inputLength: padded }
}

/**
 * DialoGPT's `_make_features`: cuts a long session into windows of about `maxLength` tokens (each
 * turn counts its length + 1). A turn longer than `maxLength` ends the current window and is
 * dropped; otherwise, when the window is already over `maxLength` before a turn is added, the
 * window is emitted and the next starts from its last turn. `maxLength` is therefore soft: a window
 * can exceed it by one turn (the loader drops over-long examples later).
 */
export function makeFeatures(turns: readonly (readonly number[])[], weights: readonly number[], maxLength: number, eos = EOS): Feature[] {
  const out: Feature[] = []
  let window: { ids: readonly number[]; weight: number }[] = []
  let length = 0
  const emit = () => {
    if (window.length < 2) return
    const f = makeFeature(
      window.map((t) => t.ids),
      window.map((t) => t.weight),
      eos,
    )
    if (f) out.push(f)
  }
  turns.forEach((ids, i) => {
    const weight = weights[i]!
    if (ids.length > maxLength) {
      emit()
      window = []
      length = 0
      return
    }
    if (length > maxLength) {
      emit()
      const last = window[window.length - 1]!
      window = [last]
      length = last.ids.length + 1
    }
    window.push({ ids, weight })
    length += ids.length + 1
  })
  emit()
  return out
}
