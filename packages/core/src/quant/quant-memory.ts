import { QUANT_KERNELS_SHARED_WASM_BASE64, QUANT_KERNELS_WASM_BASE64 } from './quant-kernels-wasm'
import { CONTROL_BYTES, QuantThreadPool, runLinear, type SpawnQuantWorker } from './quant-threads'

/** The exports of the quantized-weight kernels (see `packages/core/assembly/quant-kernels.ts`). */
export interface QuantKernelExports {
  memory: WebAssembly.Memory
  splitActivations(x: number, rows: number, inPad: number, xq: number, xs: number): void
  q8Linear(xq: number, xs: number, rows: number, inPad: number, w: number, scales: number, bias: number, y: number, nOut: number, oStart: number, oEnd: number): void
  f16Linear(x: number, rows: number, inPad: number, w: number, bias: number, y: number, nOut: number, oStart: number, oEnd: number): void
}

const PAGE = 65536
const ALIGN = 16
/** Products with fewer outputs than this run on the calling thread alone (handing them out costs more than it saves). */
const THREADED_MIN_OUTPUTS = 256
/** A wasm32 memory ends at 4 GiB (65,536 pages). */
export const QUANT_MEMORY_LIMIT_BYTES = 4 * 2 ** 30

/** Thrown when the kernels' memory cannot hold another quantized matrix. */
export class QuantMemoryError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'QuantMemoryError'
  }
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * The WebAssembly memory that quantized weights live in, and the kernels that read it. Weights are
 * placed once and stay; activations pass through a scratch region copied in and out per call (a
 * few kilobytes in decoding). It is a memory of its own, not tfjs-wasm's heap: that keeps tfjs's
 * 4 GiB for everything else (DialoGPT-large's q8 weights take 0.9 GiB here) and lets the kernels
 * serve any tfjs backend. Blocks are handed out first-fit from a list of free ranges, 16-byte
 * aligned; freed ranges merge with their neighbours.
 *
 * With `threads` > 1 (and a way to start workers), the memory is a shared one and each product's
 * outputs are split between the calling thread and `threads - 1` workers ({@link QuantThreadPool});
 * where shared memory is unavailable (a browser page without cross-origin isolation) it falls
 * back to one thread.
 */
export class QuantMemory {
  readonly kernels: QuantKernelExports
  /** The threads each product runs on (1: the calling thread only). */
  readonly threads: number
  private readonly pool: QuantThreadPool | undefined
  /** Free ranges `[start, end)`, sorted and never adjacent. */
  private free: [number, number][] = []
  private top: number
  private scratch = { at: 0, bytes: 0 }
  /** Bytes of the threads' control block (not a weight). */
  private reserved = 0

  constructor(options: QuantThreadOptions = {}) {
    // 2 KiB modules: synchronous compilation is allowed on a browser's main thread too.
    const wanted = Math.max(1, Math.floor(options.threads ?? 1))
    const shared = wanted > 1 && options.spawn !== undefined && typeof SharedArrayBuffer === 'function'
    if (shared) {
      const module = new WebAssembly.Module(decodeBase64(QUANT_KERNELS_SHARED_WASM_BASE64) as BufferSource)
      const memory = new WebAssembly.Memory({ initial: 1, maximum: QUANT_MEMORY_LIMIT_BYTES / PAGE, shared: true })
      this.kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as QuantKernelExports
      this.top = Math.max(PAGE, memory.buffer.byteLength)
      const control = this.allocate(CONTROL_BYTES)
      this.reserved = CONTROL_BYTES
      this.pool = new QuantThreadPool(wanted, this.kernels, module, memory, control, options.spawn!)
    } else {
      const module = new WebAssembly.Module(decodeBase64(QUANT_KERNELS_WASM_BASE64) as BufferSource)
      this.kernels = new WebAssembly.Instance(module, {}).exports as unknown as QuantKernelExports
      this.top = Math.max(PAGE, this.kernels.memory.buffer.byteLength)
    }
    this.threads = this.pool?.threads ?? 1
  }

  /**
   * `q8Linear` or `f16Linear` over outputs [0, nOut): on the worker threads too when there are
   * some and the product is large enough. `args` are the kernel's arguments before `nOut`.
   */
  linear(dtype: 'q8' | 'f16', args: readonly number[], nOut: number): void {
    const fn = dtype === 'q8' ? 0 : 1
    if (this.pool && nOut >= THREADED_MIN_OUTPUTS) this.pool.run(fn, args, nOut)
    else runLinear(this.kernels, fn, args, nOut, 0, nOut)
  }

  /** Ends the worker threads (the memory stays usable on the calling thread). */
  stop(): void {
    this.pool?.stop()
  }

  /** Bytes of memory the kernels hold now (weights, scratch and free ranges). */
  get byteLength(): number {
    return this.kernels.memory.buffer.byteLength
  }

  /** Bytes in use by live blocks (the weights; not the scratch region or the threads' control block). */
  get usedBytes(): number {
    return this.top - PAGE - this.free.reduce((s, [a, b]) => s + b - a, 0) - this.scratch.bytes - this.reserved
  }

  /** A block of `bytes` (16-byte aligned); its address. */
  allocate(bytes: number): number {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN
    const i = this.free.findIndex(([a, b]) => b - a >= size)
    if (i >= 0) {
      const range = this.free[i]!
      const at = range[0]
      if (range[1] - at === size) this.free.splice(i, 1)
      else range[0] += size
      return at
    }
    const at = this.top
    this.reserve(at + size)
    this.top = at + size
    return at
  }

  /** Returns the block at `at` of `bytes` (as allocated) to the free list. */
  release(at: number, bytes: number): void {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN
    let end = at + size
    let start = at
    let i = this.free.findIndex(([a]) => a > at)
    if (i < 0) i = this.free.length
    const before = this.free[i - 1]
    const after = this.free[i]
    if (after && after[0] === end) {
      end = after[1]
      this.free.splice(i, 1)
    }
    if (before && before[1] === start) {
      start = before[0]
      this.free.splice(i - 1, 1)
      i--
    }
    if (end === this.top) this.top = start
    else this.free.splice(i, 0, [start, end])
  }

  /**
   * A scratch region of at least `bytes` for one kernel call's activations (reused: valid until the
   * next call to `scratchAt`). Views into memory must be taken after this, which may grow it.
   */
  scratchAt(bytes: number): number {
    if (this.scratch.bytes < bytes) {
      if (this.scratch.bytes) this.release(this.scratch.at, this.scratch.bytes)
      const size = Math.ceil(bytes / PAGE) * PAGE
      this.scratch = { at: 0, bytes: 0 }
      this.scratch = { at: this.allocate(size), bytes: size }
    }
    return this.scratch.at
  }

  private reserve(end: number): void {
    if (end > QUANT_MEMORY_LIMIT_BYTES)
      throw new QuantMemoryError(`quantized weights need more than the 4 GiB a WebAssembly memory can hold (${(end / 2 ** 30).toFixed(2)} GiB asked)`)
    const memory = this.kernels.memory
    const pages = Math.ceil(end / PAGE) - memory.buffer.byteLength / PAGE
    if (pages <= 0) return
    try {
      memory.grow(pages)
    } catch {
      throw new QuantMemoryError(`the JavaScript engine refused to grow the quantized-weight memory to ${(end / 2 ** 30).toFixed(2)} GiB`)
    }
  }
}

/** How many threads the quantized kernels use, and how to start a worker. */
export interface QuantThreadOptions {
  /** Threads per product, the caller's included. Default 1. */
  threads?: number
  /** Starts a worker from JavaScript source (`@dialogpt/backend-node` and `@dialogpt/backend-web` provide one). */
  spawn?: SpawnQuantWorker
}

let current: QuantMemory | undefined
let options: QuantThreadOptions = {}

/** The process's (or page's) quantized-weight memory, created on first use with the options of {@link setQuantThreads}. */
export function quantMemory(): QuantMemory {
  current ??= new QuantMemory(options)
  return current
}

/**
 * Sets the threads the quantized kernels use. Takes effect for the memory created next: call it
 * before loading a quantized model (a memory that holds weights is kept, with its threads, until
 * they are freed). `@dialogpt/backend-node` calls it on import (`DIALOGPT_THREADS`, default: the
 * machine's cores, at most 8).
 */
export function setQuantThreads(next: QuantThreadOptions): void {
  options = next
  if (current && current.usedBytes === 0 && current.threads !== Math.max(1, Math.floor(next.threads ?? 1))) {
    current.stop()
    current = undefined
  }
}
