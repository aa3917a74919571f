import { generate, GENERATION_DEFAULTS, GenerationConfig, stream, type FinishReason, type GeneratedSequence } from '@dialogpt/decode'
import { ReplyText } from './reply-text'
import type { BlockList } from './block-list'
import { causalLM, type GPT2Decoding } from './model/causal-lm'
import { ConversationCache } from './model/conversation-cache'
import type { StateDict } from './checkpoint/tensor-data'
import type { GPT2Config } from './model/config'
import { GPT2 } from './model/gpt2'
import type { WeightDType } from './quant/quantized-state-dict'
import { loadGPT2WithFiles } from './pretrained/load-gpt2'
import type { FromPretrainedOptions } from './pretrained/read-pretrained'
import { DIALOGPT_CHAT_DEFAULTS } from './generation-defaults'
import { GPT2Tokenizer } from './tokenizer'

/** One turn of a conversation. */
export interface ChatTurn {
  role: 'user' | 'bot'
  text: string
  /** The turn's token ids (without the eos that follows it). */
  ids: number[]
}

/**
 * DialoGPT: a GPT-2 fine-tuned on Reddit conversations, its tokenizer and chat defaults. Turns are
 * joined by `<|endoftext|>` and the reply is generated after the last one, as the model was trained.
 *
 * @example
 * ```ts
 * import '@dialogpt/backend-node'
 * import { DialoGPT } from '@dialogpt/core'
 * const bot = await DialoGPT.fromPretrained('microsoft/DialoGPT-medium')
 * const chat = bot.chat()
 * console.log(await chat.send('Does money buy happiness?'))
 * ```
 */
export class DialoGPT {
  readonly tokenizer = new GPT2Tokenizer()
  /** The model as `@dialogpt/decode` sees it. */
  readonly lm: GPT2Decoding
  /** The chat defaults (see {@link DIALOGPT_CHAT_DEFAULTS}); MMI calls do not use them. */
  readonly chatDefaults: GenerationConfig
  /** The model's own `generation_config.json`, then the options given when loading: applied over the chat defaults, under each call's options. */
  readonly generation: GenerationConfig
  /** What loading the model changed or inferred (the `notes` of {@link loadGPT2WithFiles}). */
  readonly notes: readonly string[]
  /** Phrases never said (see {@link BlockList}): banned while decoding and checked on every reply. */
  readonly blockList: BlockList | undefined

  constructor(
    readonly model: GPT2,
    options: {
      /** Default {@link DIALOGPT_CHAT_DEFAULTS}; `{}` runs `generate()`'s own defaults (Hugging Face's: greedy, 20 new tokens). */
      chatDefaults?: GenerationConfig
      /** Settings over the chat defaults for every call (the model's generation config, the user's choices). */
      generation?: GenerationConfig
      notes?: readonly string[]
      blockList?: BlockList
    } = {},
  ) {
    this.lm = causalLM(model)
    this.chatDefaults = options.chatDefaults ?? DIALOGPT_CHAT_DEFAULTS
    this.generation = options.generation ?? {}
    this.notes = options.notes ?? []
    this.blockList = options.blockList
  }

  /**
   * Loads a DialoGPT (or any GPT-2) from a directory, a weight file or a Hub repository. Generation
   * settings, lowest first: the chat defaults, the model's `generation_config.json` (Hugging Face's
   * snake_case keys; `max_length`, a total length, is not applied), `options.generation`, and each
   * call's own config.
   */
  static async fromPretrained(source: string, options: FromPretrainedOptions & { generation?: GenerationConfig; chatDefaults?: GenerationConfig; blockList?: BlockList } = {}): Promise<DialoGPT> {
    const { model, files, notes } = await loadGPT2WithFiles(source, options)
    const fromModel = files.generationConfig ? GenerationConfig.fromHF(files.generationConfig) : {}
    return new DialoGPT(model, { chatDefaults: options.chatDefaults, generation: { ...fromModel, ...options.generation }, notes, blockList: options.blockList })
  }

  /**
   * A DialoGPT from files already read (a browser's downloads): the state dict in any released
   * layout, `config.json` and `generation_config.json` as parsed JSON; settings layered as in
   * {@link DialoGPT.fromPretrained}.
   */
  static fromFiles(
    files: { stateDict: StateDict; config?: Partial<GPT2Config>; generationConfig?: Record<string, unknown> },
    options: { generation?: GenerationConfig; chatDefaults?: GenerationConfig; blockList?: BlockList; dtype?: WeightDType } = {},
  ): DialoGPT {
    const { model, notes } = GPT2.loadStateDict(files.stateDict, files.config, options.dtype)
    const fromModel = files.generationConfig ? GenerationConfig.fromHF(files.generationConfig) : {}
    return new DialoGPT(model, { chatDefaults: options.chatDefaults, generation: { ...fromModel, ...options.generation }, notes, blockList: options.blockList })
  }

  /**
   * The config a call runs with: the chat defaults, {@link generation}, then `layers` in order.
   * With MMI the chat defaults are left out: MMI samples as the paper does unless its own config
   * says otherwise (see `MmiConfig`), and takes only what was set explicitly.
   */
  configFor(...layers: GenerationConfig[]): GenerationConfig {
    const explicit: GenerationConfig = Object.assign({}, this.generation, ...layers)
    if (this.blockList) explicit.badWordsIds = [...(explicit.badWordsIds ?? []), ...this.blockList.badWordsIds]
    return explicit.mmi ? explicit : { ...this.chatDefaults, ...explicit }
  }

  /**
   * The block list's output check on one generated sequence: when a listed phrase is in its text,
   * the sequence is cut before it and ends with `finishedBy: 'filtered'`.
   */
  checkOutput(sequence: GeneratedSequence): GeneratedSequence {
    const eos = this.tokenizer.eosTokenId
    const ids = sequence.ids.filter((id) => id !== eos)
    const match = this.blockList?.find(this.tokenizer.decode(ids))
    if (!match) return sequence
    let keep = 0
    while (keep < ids.length && this.tokenizer.decode(ids.slice(0, keep + 1)).length <= match.index) keep++
    return { ...sequence, ids: ids.slice(0, keep), finishedBy: 'filtered' }
  }

  /**
   * DialoGPT's prompt for a dialogue given as token ids, oldest turn first, the last being the one
   * to answer: each turn followed by eos, as many whole turns as fit `n_positions - maxNewTokens`,
   * newest kept. A last turn too long by itself keeps its end with `'keep-end'` (a chat never
   * fails), or is a `RangeError` with `'refuse'` (a server tells the client). Returns the ids and
   * how many turns they hold.
   */
  promptFor(turns: readonly (readonly number[])[], maxNewTokens: number, tooLong: 'keep-end' | 'refuse'): { ids: number[]; turns: number } {
    const eos = this.tokenizer.eosTokenId
    const positions = this.model.config.n_positions
    const budget = positions - maxNewTokens
    if (budget < 2) throw new RangeError(`maxNewTokens (${maxNewTokens}) leaves no room for a prompt in ${positions} positions`)
    const message = turns[turns.length - 1] ?? []
    if (message.length + 1 > budget && tooLong === 'refuse')
      throw new RangeError(`the last message is ${message.length} tokens; with maxNewTokens ${maxNewTokens} the model's ${positions} positions leave room for ${budget - 1}`)
    const parts: number[][] = [[...message.slice(Math.max(0, message.length - (budget - 1))), eos]]
    let used = parts[0]!.length
    for (let i = turns.length - 2; i >= 0; i--) {
      const turn = [...turns[i]!, eos]
      if (used + turn.length > budget) break
      parts.unshift(turn)
      used += turn.length
    }
    return { ids: parts.flat(), turns: parts.length }
  }

  /** A new conversation. */
  chat(options: { generation?: GenerationConfig } = {}): ChatSession {
    return new ChatSession(this, options.generation ?? {})
  }

  /** Replies to a dialogue history (oldest turn first) without keeping any state. */
  async reply(turns: readonly string[], config: GenerationConfig = {}): Promise<string> {
    if (turns.length === 0) throw new RangeError('reply() needs at least one turn')
    const chat = this.chat({ generation: config })
    try {
      const history = turns.slice(0, -1)
      // Turns alternate, and the one just before the new message is the bot's.
      history.forEach((text, i) => chat.push((history.length - i) % 2 === 1 ? 'bot' : 'user', text))
      return await chat.send(turns[turns.length - 1]!)
    } finally {
      chat.dispose()
    }
  }

  /** `@dialogpt/decode`'s `generate` on this model, from text (one turn) or token ids, with {@link configFor}'s settings. */
  async generate(prompt: string | number[] | number[][], config: GenerationConfig = {}): Promise<GeneratedSequence[][]> {
    const ids = typeof prompt === 'string' ? this.tokenizer.encodeTurns([prompt]) : prompt
    const out = await generate(this.lm, ids, this.configFor(config))
    return this.blockList ? out.map((row) => row.map((s) => this.checkOutput(s))) : out
  }

  dispose(): void {
    this.model.dispose()
  }
}

/**
 * A conversation with a {@link DialoGPT}: the history, and the calls that extend it. It keeps the
 * keys and values of the conversation between turns (see {@link ConversationCache}), so a turn
 * computes only its new tokens; {@link ChatSession.dispose} (or {@link ChatSession.reset}) frees them.
 */
export class ChatSession {
  private turns: ChatTurn[] = []
  /** The model with this conversation's KV cache kept between turns. */
  readonly lm: ConversationCache
  /**
   * How the last reply ended: from `send`, the decoder's reason (`'filtered'` when the block list's
   * output check cut it); from `stream`, `'done'`, `'filtered'`, or `'stopped'` when the caller
   * stopped it (an abort, or leaving the loop). Null before the first reply.
   */
  lastFinishedBy: FinishReason | 'done' | 'stopped' | null = null

  constructor(
    private readonly bot: DialoGPT,
    /** This conversation's settings, over the bot's. */
    private readonly config: GenerationConfig,
  ) {
    this.lm = new ConversationCache(bot.lm)
  }

  /** The conversation so far, oldest first. */
  get history(): readonly ChatTurn[] {
    return this.turns
  }

  /** Forgets the conversation (and frees its cache). */
  reset(): void {
    this.turns = []
    this.lm.forget()
  }

  /** Frees the conversation's KV cache. The session stays usable: its next turn computes the whole prompt again. */
  dispose(): void {
    this.lm.forget()
  }

  /** Adds a turn without generating (to restore or seed a conversation). */
  push(role: ChatTurn['role'], text: string): void {
    this.turns.push({ role, text, ids: this.bot.tokenizer.encode(text) })
  }

  /** Sends a user message and returns the bot's reply (which joins the history). */
  async send(text: string, config: GenerationConfig = {}): Promise<string> {
    const merged = this.bot.configFor(this.config, config)
    const prompt = this.prompt(text, merged)
    const [[generated]] = (await generate(this.lm, prompt, merged)) as [[GeneratedSequence]]
    const best = this.bot.checkOutput(generated)
    this.lastFinishedBy = best.finishedBy
    const ids = best.ids.filter((id) => id !== this.bot.tokenizer.eosTokenId)
    return this.commit(text, ids)
  }

  /**
   * Sends a user message and streams the reply as complete UTF-8 text pieces; the full reply
   * joins the history when the stream ends (also when it is stopped early). Beam search and MMI
   * produce their reply at the end, so with them the stream yields it in one piece.
   */
  async *stream(text: string, config: GenerationConfig = {}): AsyncGenerator<string, void> {
    const merged = this.bot.configFor(this.config, config)
    if ((merged.numBeams ?? 1) > 1 || merged.mmi) {
      yield await this.send(text, config)
      return
    }
    const prompt = this.prompt(text, merged)
    const reply = new ReplyText(this.bot)
    let finished: ChatSession['lastFinishedBy'] = 'stopped'
    try {
      // Leaving the loop (a blocked phrase, or the caller stopping) stops the generation and frees its tensors.
      for await (const id of stream(this.lm, prompt, merged)) {
        const piece = reply.push(id)
        if (piece) yield piece
        if (reply.ended) break
      }
      finished = reply.ended === 'filtered' ? 'filtered' : 'done' // no stop strings here: only a blocked phrase ends it early
      const rest = reply.flush()
      if (rest) yield rest
    } finally {
      // What was shown is what joins the history (a stopped reply keeps its shown part).
      this.lastFinishedBy = finished
      this.commit(text, this.bot.tokenizer.encode(reply.shown), reply.shown)
    }
  }

  private commit(userText: string, replyIds: number[], replyText = this.bot.tokenizer.decode(replyIds)): string {
    this.turns.push({ role: 'user', text: userText, ids: this.bot.tokenizer.encode(userText) })
    this.turns.push({ role: 'bot', text: replyText, ids: replyIds })
    return replyText
  }

  /** The prompt for `text` after this conversation's history (see {@link DialoGPT.promptFor}); never fails on a long history. */
  private prompt(text: string, config: GenerationConfig): number[] {
    return this.bot.promptFor([...this.turns.map((t) => t.ids), this.bot.tokenizer.encode(text)], config.maxNewTokens ?? GENERATION_DEFAULTS.maxNewTokens, 'keep-end').ids
  }
}
