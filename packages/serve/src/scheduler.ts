import { generateBatch, type BatchRequest, type BatchResult, type CausalLM } from '@dialogpt/decode'
import { ApiError } from './api-error'

interface Job {
  batch?: BatchRequest
  alone?: () => Promise<unknown>
  signal: AbortSignal
  done: (value: unknown) => void
  fail: (error: Error) => void
}

const aborted = () => Object.assign(new Error('the client went away while waiting'), { name: 'AbortError' })

/**
 * The model's one queue. Greedy and sampling requests of one sequence that wait together are
 * decoded as one batch — every step one forward over all their rows, each row with its own
 * settings and seed (`generateBatch`) — up to `maxBatch` at a time; beam search, MMI and `n > 1`
 * run alone. Batches and lone jobs run one after another, in arrival order: decoding steps of one
 * model never run in parallel. At most `maxWaiting` requests wait; more are refused at once with
 * 503. A waiting request whose client goes away leaves the queue.
 */
export class Scheduler {
  private readonly queue: Job[] = []
  private running = 0
  private batches = 0
  private largestBatch = 0

  constructor(
    private readonly model: CausalLM,
    readonly maxWaiting: number,
    readonly retryAfterSeconds: number,
    readonly maxBatch: number,
  ) {}

  /** Jobs running and waiting, the limits, and how many batches ran (and the largest). */
  get state(): { running: number; waiting: number; maxWaiting: number; maxBatch: number; batches: number; largestBatch: number } {
    return { running: this.running, waiting: this.queue.length, maxWaiting: this.maxWaiting, maxBatch: this.maxBatch, batches: this.batches, largestBatch: this.largestBatch }
  }

  /** Queues a request that can share a batch. Throws a 503 `ApiError` at once when the queue is full. */
  batched(request: BatchRequest, signal: AbortSignal): Promise<BatchResult> {
    return this.submit({ batch: request }, signal) as Promise<BatchResult>
  }

  /** Queues work that runs alone. Throws a 503 `ApiError` at once when the queue is full. */
  alone<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.submit({ alone: work }, signal) as Promise<T>
  }

  private submit(what: Pick<Job, 'batch' | 'alone'>, signal: AbortSignal): Promise<unknown> {
    if (this.queue.length >= this.maxWaiting && this.running > 0)
      throw new ApiError(503, `the server is busy: ${this.maxWaiting} requests are already waiting; retry after ${this.retryAfterSeconds} s`, null, 'overloaded_error', 'queue_full')
    return new Promise((done, fail) => {
      const job: Job = { ...what, signal, done, fail }
      this.queue.push(job)
      signal.addEventListener('abort', () => {
        const i = this.queue.indexOf(job)
        if (i >= 0) {
          this.queue.splice(i, 1)
          fail(aborted())
        }
      }, { once: true })
      this.pump()
    })
  }

  private pump(): void {
    if (this.running > 0 || this.queue.length === 0) return
    const head = this.queue[0]!
    const jobs = head.alone ? [this.queue.shift()!] : this.takeBatch()
    this.running = jobs.length
    if (!head.alone) {
      this.batches++
      this.largestBatch = Math.max(this.largestBatch, jobs.length)
    }
    const work = head.alone
      ? head.alone().then(head.done, head.fail)
      : generateBatch(this.model, jobs.map((j) => j.batch!)).then(
          (results) => results.forEach((r, i) => jobs[i]!.done(r)),
          (error: Error) => jobs.forEach((j) => j.fail(error)),
        )
    void work.finally(() => {
      this.running = 0
      this.pump()
    })
  }

  /** The batchable jobs at the head of the queue, in order, up to `maxBatch`. */
  private takeBatch(): Job[] {
    const jobs: Job[] = []
    while (jobs.length < this.maxBatch && this.queue[0]?.batch) jobs.push(this.queue.shift()!)
    return jobs
  }
}
