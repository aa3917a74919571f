import { ApiError } from './api-error'

/**
 * One model, one generation at a time, in arrival order, with a bounded queue. Decoding steps of one
 * model never run in parallel (they could not on wasm, and interleaving them gains nothing on one
 * core); a request beyond `maxWaiting` is refused at once with 503 and `Retry-After` instead of
 * waiting without bound. A waiting request whose client goes away leaves the queue.
 */
export class Admission {
  private running = false
  private readonly waiting: { start: () => void; fail: (e: Error) => void }[] = []

  constructor(
    readonly maxWaiting: number,
    readonly retryAfterSeconds: number,
  ) {}

  get state(): { running: number; waiting: number; maxWaiting: number } {
    return { running: this.running ? 1 : 0, waiting: this.waiting.length, maxWaiting: this.maxWaiting }
  }

  /** Runs `work` when its turn comes. Throws a 503 `ApiError` when the queue is full, an `AbortError` when `signal` fires while waiting. */
  async run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.running) {
      if (this.waiting.length >= this.maxWaiting)
        throw new ApiError(503, `the server is busy: ${this.maxWaiting} requests are already waiting; retry after ${this.retryAfterSeconds} s`, null, 'overloaded_error', 'queue_full')
      await new Promise<void>((start, fail) => {
        const entry = { start, fail }
        this.waiting.push(entry)
        signal.addEventListener('abort', () => {
          const i = this.waiting.indexOf(entry)
          if (i >= 0) this.waiting.splice(i, 1)
          fail(Object.assign(new Error('the client went away while waiting'), { name: 'AbortError' }))
        }, { once: true })
      })
    }
    this.running = true
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next) next.start()
      else this.running = false
    }
  }
}
