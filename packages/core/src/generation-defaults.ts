import type { GenerationConfig } from '@dialogpt/decode'

/**
 * Generation defaults for chatting. Greedy decoding makes DialoGPT repeat itself within a few
 * turns, so chat samples: top-K 50 and top-p 0.9 at temperature 0.8, with a no-repeat 3-gram guard,
 * and at most 64 new tokens. Pass a config to `send`/`stream`/`chat` to change any of it
 * (e.g. `{ doSample: false, numBeams: 10 }` for the paper's beam search).
 */
export const DIALOGPT_CHAT_DEFAULTS: GenerationConfig = {
  doSample: true,
  topK: 50,
  topP: 0.9,
  temperature: 0.8,
  noRepeatNgramSize: 3,
  maxNewTokens: 64,
}
