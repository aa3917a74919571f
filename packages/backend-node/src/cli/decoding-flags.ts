import { readFile } from 'node:fs/promises'
import { BlockList, causalLM, DialoGPT, loadGPT2WithFiles, type GPT2, type HubOptions } from '@dialogpt/core'
import { GPT2_VOCAB_SIZE } from '@dialogpt/data'
import { GenerationConfig } from '@dialogpt/decode'
import { intFlag, MODEL_SOURCE_FLAGS, numberFlag, oneOf, UsageError, type CliIo } from './io'

/** The flags of every command that decodes (`generate`, `chat`): the model, the decoding settings, MMI and the block list. */
export const DECODING_STRING_FLAGS = [
  ...MODEL_SOURCE_FLAGS,
  'dtype',
  'max-new-tokens', 'min-new-tokens', 'num-beams', 'length-penalty', 'early-stopping', 'num-return-sequences', 'top-k', 'top-p', 'temperature', 'seed',
  'repetition-penalty', 'no-repeat-ngram-size', 'eos-token-id', 'reverse-model', 'num-samples', 'block-list',
] as const
export const DECODING_BOOLEAN_FLAGS = ['local-files-only', 'do-sample', 'mmi'] as const

export const DECODING_USAGE = `Model:
  --model DIR_OR_REPO          a local directory, weight file, or Hub repository id
  --revision REV               Hub branch, tag or commit (default main)
  --cache-dir DIR              Hugging Face cache directory
  --local-files-only           use the cache only, never the network
  --dtype fp32|f16|q8          hold the weight matrices in 32, 16 or 8 bits (q8: a quarter of the
                               memory; default: as the checkpoint stores them)
Decoding (Hugging Face generate() semantics):
  --max-new-tokens N           --min-new-tokens N
  --num-beams K                --length-penalty X       --early-stopping true|false|never
  --num-return-sequences M
  --do-sample                  --top-k K                --top-p P    --temperature T    --seed S
  --repetition-penalty R       --no-repeat-ngram-size N --eos-token-id ID
  --mmi --reverse-model DIR    --num-samples N (MMI samples as the paper does: 16, top-K 10,
                               temperature 1; --top-k, --top-p and --temperature change that)
  --block-list FILE            phrases never said, one per line (# comments): banned while decoding
                               and checked on every reply
`

type DecodingValues = Partial<Record<(typeof DECODING_STRING_FLAGS)[number], string>> & Partial<Record<(typeof DECODING_BOOLEAN_FLAGS)[number], boolean>>

/** The decoding flags as a `GenerationConfig` (only those given). */
export function decodingConfig(values: DecodingValues): GenerationConfig {
  const early = values['early-stopping']
  if (early !== undefined && !['true', 'false', 'never'].includes(early)) throw new UsageError(`--early-stopping must be true, false or never, not '${early}'`)
  if (values.mmi && !values['reverse-model']) throw new UsageError('--mmi needs --reverse-model DIR (a backward model)')
  const config: GenerationConfig = {
    maxNewTokens: intFlag(values['max-new-tokens'], 'max-new-tokens', 1),
    minNewTokens: intFlag(values['min-new-tokens'], 'min-new-tokens'),
    numBeams: intFlag(values['num-beams'], 'num-beams', 1),
    lengthPenalty: numberFlag(values['length-penalty'], 'length-penalty'),
    earlyStopping: early === undefined ? undefined : early === 'never' ? 'never' : early === 'true',
    numReturnSequences: intFlag(values['num-return-sequences'], 'num-return-sequences', 1),
    doSample: values['do-sample'] || undefined,
    topK: intFlag(values['top-k'], 'top-k'),
    topP: numberFlag(values['top-p'], 'top-p', (n) => n > 0 && n <= 1),
    temperature: numberFlag(values.temperature, 'temperature', (n) => n > 0),
    seed: intFlag(values.seed, 'seed'),
    repetitionPenalty: numberFlag(values['repetition-penalty'], 'repetition-penalty', (n) => n > 0),
    noRepeatNgramSize: intFlag(values['no-repeat-ngram-size'], 'no-repeat-ngram-size'),
    eosTokenId: intFlag(values['eos-token-id'], 'eos-token-id'),
  }
  for (const key of Object.keys(config) as (keyof GenerationConfig)[]) if (config[key] === undefined) delete config[key]
  return config
}

/** A loaded bot and what must be freed with it. */
export interface LoadedBot {
  bot: DialoGPT
  /** The call settings: the flags, with MMI's backward model attached. */
  config: GenerationConfig
  dispose(): void
}

/**
 * Loads the model the flags name (printing how its keys were read), its generation_config.json
 * under the flags, the backward model for `--mmi` and the block list. `chatDefaults` are the
 * settings below everything else: `{}` for `generate` (generate()'s own), the chat defaults for `chat`.
 */
export async function loadBot(values: DecodingValues, io: CliIo, chatDefaults: GenerationConfig | undefined, onProgress?: HubOptions['onProgress']): Promise<LoadedBot> {
  if (!values.model) throw new UsageError('--model is required')
  const config = decodingConfig(values)
  const blockList = values['block-list'] === undefined ? undefined : BlockList.parse(await readFile(values['block-list'], 'utf8').catch((e: Error) => {
    throw new UsageError(`--block-list: cannot read ${values['block-list']}: ${e.message}`)
  }))
  const dtype = oneOf(values.dtype, 'dtype', ['fp32', 'f16', 'q8'] as const)
  const hub = { revision: values.revision, cacheDir: values['cache-dir'], localFilesOnly: values['local-files-only'], onProgress, dtype }
  const loaded = await loadGPT2WithFiles(values.model, hub)
  const bot = new DialoGPT(loaded.model, { chatDefaults, generation: loaded.files.generationConfig ? GenerationConfig.fromHF(loaded.files.generationConfig) : {}, blockList })
  for (const note of loaded.notes) io.stderr(`dialogpt: ${values.model}: ${note}\n`)
  let backward: GPT2 | undefined
  try {
    checkVocabulary(bot)
    if (values.mmi) {
      const reverse = await loadGPT2WithFiles(values['reverse-model']!, hub)
      backward = reverse.model
      for (const note of reverse.notes) io.stderr(`dialogpt: ${values['reverse-model']}: ${note}\n`)
      // MMI samples as the paper does (16 samples, top-K 10, temperature 1); the sampling flags change that explicitly.
      const mmi = { backward: causalLM(backward), numSamples: intFlag(values['num-samples'], 'num-samples', 1), topK: config.topK, topP: config.topP, temperature: config.temperature }
      for (const key of Object.keys(mmi) as (keyof typeof mmi)[]) if (mmi[key] === undefined) delete mmi[key]
      for (const key of ['topK', 'topP', 'temperature', 'doSample'] as const) delete config[key]
      config.mmi = mmi
    }
  } catch (error) {
    backward?.dispose()
    bot.dispose()
    throw error
  }
  return {
    bot,
    config,
    dispose() {
      backward?.dispose()
      bot.dispose()
    },
  }
}

/**
 * The CLI reads and writes text with GPT-2's tokenizer, so the model must have GPT-2's vocabulary.
 * A model with a smaller one (`pnpm demo` trains such models, with its own id mapping) is refused
 * here instead of failing inside the first embedding lookup.
 */
function checkVocabulary(bot: DialoGPT): void {
  const vocab = bot.model.config.vocab_size
  if (vocab < GPT2_VOCAB_SIZE)
    throw new UsageError(`the model has a vocabulary of ${vocab} tokens, smaller than GPT-2's ${GPT2_VOCAB_SIZE}: it was trained with its own token mapping (as pnpm demo's models are), which this command does not know; use it from code with that mapping`)
}
