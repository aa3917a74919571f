import type { StateDict } from '../checkpoint/tensor-data'
import { reconcileConfig, type GPT2Config } from './config'
import { GPT2 } from './gpt2'
import { weightsFromStateDict } from './weights'

/**
 * Builds a {@link GPT2} from a state dict. The dimensions come from the tensors; `config`
 * (e.g. the `config.json` next to the weights) supplies the rest, and where it disagrees with the
 * tensors the tensors win (the corrections are returned, for a warning).
 */
export function gpt2FromStateDict(dict: StateDict, config?: Partial<GPT2Config>): { model: GPT2; corrections: string[] } {
  const { config: reconciled, corrections } = reconcileConfig(dict, config)
  return { model: new GPT2(reconciled, weightsFromStateDict(dict, reconciled)), corrections }
}
