import { CheckpointError } from '../checkpoint/errors'
import type { StateDict, StateDictTensor } from '../checkpoint/tensor-data'

/** A state dict under Hugging Face's `GPT2LMHeadModel` names, and what was changed to get there. */
export interface CanonicalStateDict {
  dict: StateDict
  /** One line per change, for users to read ("stripped the module. prefix of 148 tensors", …). */
  notes: string[]
}

const HEAD_NAMES = ['lm_head.weight', 'lm_head.decoder.weight']

function sameValues(a: StateDictTensor, b: StateDictTensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false
  if (a.data === b.data) return true
  if (a.data.length !== b.data.length) return false
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!
    const y = b.data[i]!
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false
  }
  return true
}

/**
 * Brings every released GPT-2 / DialoGPT key layout to Hugging Face's names:
 * - the `module.` prefix of a `DataParallel` save (the original DialoGPT training script's) is stripped;
 * - bare names (`h.0.attn.c_attn.weight`, the original GPT-2 `pytorch_model.bin`) get `transformer.`;
 * - the output head, as `lm_head.weight` or `lm_head.decoder.weight` (the original DialoGPT `.pkl`
 *   files), is dropped when it equals `transformer.wte.weight` (the head is tied, as in every
 *   released model) and kept as an untied `lm_head.weight` when it differs.
 * Two names that end up the same are refused, naming both.
 */
export function canonicalStateDict(raw: StateDict): CanonicalStateDict {
  const notes: string[] = []
  const dict: StateDict = new Map()
  const from = new Map<string, string>()
  let stripped = 0
  let prefixed = 0
  for (const [rawName, tensor] of raw) {
    let name = rawName
    if (name.startsWith('module.')) {
      name = name.slice('module.'.length)
      stripped++
    }
    if (HEAD_NAMES.includes(name)) name = 'lm_head.weight'
    else if (!name.startsWith('transformer.')) {
      name = `transformer.${name}`
      prefixed++
    }
    const earlier = from.get(name)
    if (earlier !== undefined) {
      if (name === 'lm_head.weight' && sameValues(dict.get(name)!, tensor)) continue
      throw new CheckpointError('duplicate-tensor', `tensors '${earlier}' and '${rawName}' are both ${name}`, { tensor: rawName })
    }
    from.set(name, rawName)
    dict.set(name, tensor)
  }
  if (stripped > 0) notes.push(`stripped the DataParallel 'module.' prefix of ${stripped} tensors`)
  if (prefixed > 0) notes.push(`read ${prefixed} tensors without the 'transformer.' prefix`)
  const head = dict.get('lm_head.weight')
  const wte = dict.get('transformer.wte.weight')
  if (head) {
    const headName = from.get('lm_head.weight')!
    if (wte && sameValues(head, wte)) {
      dict.delete('lm_head.weight')
      notes.push(`${headName} equals transformer.wte.weight: the output head is tied to the embedding`)
    } else notes.push(`${headName} differs from transformer.wte.weight: loaded as an untied output head (tie_word_embeddings false)`)
  }
  return { dict, notes }
}
