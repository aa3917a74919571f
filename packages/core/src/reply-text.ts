import type { BlockList } from './block-list'
import type { GPT2Tokenizer } from './tokenizer'

/**
 * Turns a reply's tokens, as they come, into text to show: a character split over tokens waits
 * until it is whole, and text that could still become a stop string or a blocked phrase is held
 * back until it cannot, so neither is ever shown. When a stop string (`ended: 'stop'`) or a
 * blocked phrase (`ended: 'filtered'`, the text before it trimmed) appears, the reply ends before
 * it. `ChatSession.stream` and `@dialogpt/serve`'s streamed replies use it.
 */
export class ReplyText {
  private readonly ids: number[] = []
  private text = ''
  private sent = 0
  private readonly hold: number
  /** Set when a stop string (`'stop'`) or a blocked phrase (`'filtered'`) ended the reply. */
  ended: 'stop' | 'filtered' | null = null

  constructor(
    private readonly bot: { tokenizer: GPT2Tokenizer; blockList: BlockList | undefined },
    private readonly stop: readonly string[] = [],
  ) {
    this.hold = Math.max(0, ...stop.map((s) => s.length - 1), bot.blockList?.longest ?? 0)
  }

  /** Takes the next token (eos is not text); returns the text that can be sent now. */
  push(id: number): string {
    if (this.ended || id === this.bot.tokenizer.eosTokenId) return ''
    this.ids.push(id)
    const text = this.bot.tokenizer.decode(this.ids)
    if (text.endsWith('\uFFFD')) return ''
    this.text = text
    const at = firstStop(text, this.stop)
    const blocked = this.bot.blockList?.find(text)
    if (at !== -1 || blocked) {
      const blockedFirst = blocked !== null && blocked !== undefined && (at === -1 || blocked.index < at)
      this.text = blockedFirst ? text.slice(0, blocked!.index).trimEnd() : text.slice(0, at)
      this.ended = blockedFirst ? 'filtered' : 'stop'
      return this.flush()
    }
    if (text.length - this.hold <= this.sent) return ''
    const piece = text.slice(this.sent, text.length - this.hold)
    this.sent = text.length - this.hold
    return piece
  }

  /** The text held back so far (at the end of the reply). */
  flush(): string {
    const piece = this.text.slice(this.sent)
    this.sent = this.text.length
    return piece
  }

  /** The text shown so far. */
  get shown(): string {
    return this.text.slice(0, this.sent)
  }
}

/** Where the first of `stop` occurs in `text`, or -1. */
export function firstStop(text: string, stop: readonly string[]): number {
  let first = -1
  for (const s of stop) {
    const i = text.indexOf(s)
    if (i !== -1 && (first === -1 || i < first)) first = i
  }
  return first
}
