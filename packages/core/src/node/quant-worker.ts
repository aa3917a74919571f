import { Worker } from 'node:worker_threads'
import type { QuantWorker } from '../quant/quant-threads'

/**
 * Starts a `worker_threads` worker for the quantized kernels' thread pool (see `setQuantThreads`).
 * It is unref'd: a process whose work is done exits without stopping the pool.
 */
export function nodeQuantWorker(source: string): QuantWorker {
  const worker = new Worker(source, { eval: true })
  worker.unref()
  return worker
}
