import type { QuantWorker } from '@dialogpt/core'

/**
 * The threads for the quantized kernels in this page: the device's cores (at most 8) when the page
 * is cross-origin isolated (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), which shared WebAssembly memory needs; else 1.
 */
export function webQuantThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1
  return isolated && typeof Worker === 'function' ? Math.max(1, Math.min(8, cores)) : 1
}

/** Starts a worker for the quantized kernels' thread pool from its source, through a Blob URL. */
export function webQuantWorker(source: string): QuantWorker {
  // The URL is not revoked: a worker may still be fetching it after its constructor returns.
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })))
}
