import type { DialoGPT } from '@dialogpt/core'

/** How a choice ended, in OpenAI's words. */
export type FinishReason = 'stop' | 'length' | 'content_filter'

/**
 * Turns a reply's tokens, as they come, into text to send: a character split over tokens waits
 * until it is whole, and text that could still become a stop string or a blocked phrase is held
 * back until it cannot. When a stop string or a blocked phrase appears, the reply ends before it.
 */
export class ReplyText {
  private readonly ids: number[] = []
  private text = ''
  private sent = 0
  private readonly hold: number
  /** Set when a stop string (`'stop'`) or a blocked phrase (`'content_filter'`) ended the reply. */
  ended: FinishReason | null = null

  constructor(
    private readonly bot: DialoGPT,
    private readonly stop: readonly string[],
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
      this.text = text.slice(0, blockedFirst ? blocked!.index : at)
      this.ended = blockedFirst ? 'content_filter' : 'stop'
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

  /** The whole reply's text. */
  get full(): string {
    return this.text
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
