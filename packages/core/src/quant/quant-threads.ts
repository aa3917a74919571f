import type { QuantKernelExports } from './quant-memory'

/** What the pool needs of a worker: Node's `worker_threads.Worker` and the browser's `Worker` both fit. */
export interface QuantWorker {
  postMessage(message: unknown): void
  terminate(): unknown
}

/** Starts a worker running `source` (JavaScript): `new Worker(source, { eval: true })` in Node, a Blob URL in a browser. */
export type SpawnQuantWorker = (source: string) => QuantWorker

/** The control block's int32 slots (in the shared memory). */
const GEN = 0
const DONE = 1
const FN = 2
const PARTS = 3
const ARGS = 4
const STOP = 16
/** A job not finished by every worker within this long means they are gone (a worker that failed to start). */
const WORKER_TIMEOUT_MS = 30_000
/** Bytes of the control block. */
export const CONTROL_BYTES = 32 * 4

/**
 * The workers' code. Each instantiates the shared-memory kernels on the memory it is sent, then
 * waits for a job (the generation counter changes), runs its share of the outputs, counts itself
 * done and waits again. It spins briefly before sleeping, so back-to-back jobs do not pay a
 * wake-up each.
 */
const WORKER_SOURCE = `
const port = typeof require === 'function' ? require('node:worker_threads').parentPort : self
const listen = (fn) => (port.on ? port.on('message', fn) : port.addEventListener('message', (e) => fn(e.data), { once: true }))
listen(({ module, memory, control, index }) => {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports
  const c = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4})
  // Jobs handed out before this worker started are still waiting for it: start from generation 0.
  let gen = 0
  for (;;) {
    for (let spin = 0; spin < 20000 && Atomics.load(c, ${GEN}) === gen; spin++);
    if (Atomics.load(c, ${GEN}) === gen) Atomics.wait(c, ${GEN}, gen)
    gen = Atomics.load(c, ${GEN})
    if (Atomics.load(c, ${STOP})) return
    const parts = c[${PARTS}]
    const a = ${ARGS}
    const nOut = c[${FN}] === 0 ? c[a + 8] : c[a + 6]
    const start = Math.floor((nOut * index) / parts)
    const end = Math.floor((nOut * (index + 1)) / parts)
    if (c[${FN}] === 0) k.q8Linear(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], nOut, start, end)
    else k.f16Linear(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], nOut, start, end)
    Atomics.add(c, ${DONE}, 1)
    Atomics.notify(c, ${DONE})
  }
})
`

/** `q8Linear` (fn 0) or `f16Linear` (fn 1) on outputs [start, end): `args` are the kernel's arguments before `nOut`. */
export function runLinear(kernels: QuantKernelExports, fn: 0 | 1, args: readonly number[], nOut: number, start: number, end: number): void {
  const a = args
  if (fn === 0) kernels.q8Linear(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, nOut, start, end)
  else kernels.f16Linear(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, nOut, start, end)
}

/**
 * Worker threads that share the quantized kernels' memory and split each product's outputs with
 * the calling thread: with `threads` = n, the caller computes one n-th and n - 1 workers the rest.
 * Jobs are handed over through a control block in the shared memory (Atomics), not messages.
 */
export class QuantThreadPool {
  private readonly workers: QuantWorker[] = []
  private readonly control: Int32Array
  private canWait = true
  private stopped = false

  constructor(
    readonly threads: number,
    private readonly kernels: QuantKernelExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    controlAt: number,
    spawn: SpawnQuantWorker,
  ) {
    this.control = new Int32Array(memory.buffer, controlAt, CONTROL_BYTES / 4)
    for (let index = 1; index < threads; index++) {
      const worker = spawn(WORKER_SOURCE)
      worker.postMessage({ module, memory, control: controlAt, index })
      this.workers.push(worker)
    }
  }

  /** `q8Linear` (fn 0) or `f16Linear` (fn 1) over all outputs, split between the threads. `args` are the kernel's arguments before `nOut`. */
  run(fn: 0 | 1, args: readonly number[], nOut: number): void {
    const c = this.control
    const parts = this.workers.length + 1
    c[FN] = fn
    c[PARTS] = parts
    args.forEach((v, i) => (c[ARGS + i] = v))
    c[ARGS + args.length] = nOut
    Atomics.store(c, DONE, 0)
    Atomics.add(c, GEN, 1)
    Atomics.notify(c, GEN)
    runLinear(this.kernels, fn, args, nOut, 0, Math.floor(nOut / parts))
    const started = Date.now()
    for (let spin = 0; Atomics.load(c, DONE) < this.workers.length; spin++) {
      if (spin % 100000 === 99999 && Date.now() - started > WORKER_TIMEOUT_MS) {
        this.stop()
        throw new Error(`the quantized kernels' worker threads did not answer within ${WORKER_TIMEOUT_MS / 1000} s (${Atomics.load(c, DONE)} of ${this.workers.length} done); they have been stopped`)
      }
      if (spin < 100000 || !this.canWait) continue
      const done = Atomics.load(c, DONE)
      if (done >= this.workers.length) break
      try {
        Atomics.wait(c, DONE, done, 10)
      } catch {
        this.canWait = false // a browser's main thread may not wait: it keeps spinning
      }
    }
  }

  /** Stops and ends the workers. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    Atomics.store(this.control, STOP, 1)
    Atomics.add(this.control, GEN, 1)
    Atomics.notify(this.control, GEN)
    for (const w of this.workers) void w.terminate()
  }
}
