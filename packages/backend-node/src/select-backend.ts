import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
// @dialogpt/core registers every tfjs gradient (tfjs-core's Node entry registers none), and
// @dialogpt/core/node makes Node's file system (with the Hub cache) the default storage.
import '@dialogpt/core'
import { setQuantThreads } from '@dialogpt/core'
import { nodeQuantWorker } from '@dialogpt/core/node'
import { registerWasmKernels } from '@dialogpt/core/wasm-kernels'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'

// The model's fast paths on tfjs-wasm (used only while wasm is the backend).
registerWasmKernels()
// 8- and 16-bit weights multiply on worker threads too: DIALOGPT_THREADS, or the cores (at most 4).
setQuantThreads({ threads: quantThreads(process.env.DIALOGPT_THREADS), spawn: nodeQuantWorker })

/** The threads for the quantized kernels: `DIALOGPT_THREADS` when it is a positive integer, else the machine's cores, at most 4. */
export function quantThreads(setting: string | undefined): number {
  if (setting !== undefined) {
    const n = Number(setting)
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`DIALOGPT_THREADS must be a positive integer, got '${setting}'`)
    return n
  }
  return Math.min(4, availableParallelism())
}

/** The backends `@dialogpt/backend-node` knows, best first. */
export const NODE_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export type NodeBackendName = (typeof NODE_BACKENDS)[number]

/** What was tried, and why each candidate was or was not taken. */
export interface BackendReport {
  /** The tfjs backend in use (`tensorflow` for both native packages, `wasm`, `cpu`). */
  backend: string
  /** Our name for the choice: `tensorflow-gpu`, `tensorflow`, `wasm` or `cpu`. */
  chosen: NodeBackendName
  candidates: { name: NodeBackendName; available: boolean; reason: string }[]
  /** wasm only: the threads it runs with. */
  wasmThreads?: number
  /** wasm only: why it runs with that many. */
  wasmThreadsReason?: string
}

/** Loads an optional package by name (injectable, so tests can stand in for the native ones). */
export type ModuleLoader = (specifier: string) => unknown

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
}

let report: BackendReport | undefined

/**
 * Picks and initialises the best backend: `@tensorflow/tfjs-node-gpu` (CUDA), then
 * `@tensorflow/tfjs-node`, then wasm, then cpu — or the one named by `prefer` or the
 * `DIALOGPT_BACKEND` environment variable (an unavailable forced backend is an error, never a
 * silent fallback). The native packages are optional: install one to use it.
 */
export async function selectBackend(options: { prefer?: NodeBackendName; load?: ModuleLoader; env?: Record<string, string | undefined> } = {}): Promise<BackendReport> {
  const env = options.env ?? process.env
  const forced = (options.prefer ?? (env.DIALOGPT_BACKEND as NodeBackendName | undefined)) || undefined
  if (forced && !NODE_BACKENDS.includes(forced)) throw new Error(`unknown backend '${forced}' (DIALOGPT_BACKEND or useBackend): use ${NODE_BACKENDS.join(', ')}`)
  const load = options.load ?? defaultLoader()
  const candidates: BackendReport['candidates'] = []
  const order = forced ? [forced] : [...NODE_BACKENDS]
  for (const name of NODE_BACKENDS) if (!order.includes(name)) candidates.push({ name, available: false, reason: `not tried: ${forced} was requested` })
  for (const name of order) {
    const reason = await tryBackend(name, load)
    if (reason === null) {
      candidates.push({ name, available: true, reason: forced ? 'requested' : 'the best available' })
      for (const rest of order.slice(order.indexOf(name) + 1)) candidates.push({ name: rest, available: false, reason: `not needed: ${name} is preferred` })
      report = { backend: tf.getBackend(), chosen: name, candidates: sortCandidates(candidates) }
      if (name === 'wasm') {
        report.wasmThreads = wasmThreads()
        if (report.wasmThreads <= 1) report.wasmThreadsReason = 'tfjs-backend-wasm 4.22 turns its threaded build off under Node, and forcing it on fails: its pthread workers are blob: URLs, which worker_threads cannot load (ERR_WORKER_PATH). For more speed use @tensorflow/tfjs-node; in a browser, wasm can use threads on a cross-origin-isolated page'
      }
      return report
    }
    candidates.push({ name, available: false, reason })
    if (forced) throw new Error(`backend '${forced}' is not available: ${reason}`)
  }
  throw new Error(`no tfjs backend could be initialised: ${candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`)
}

/** Forces a backend (the same as `DIALOGPT_BACKEND`). */
export function useBackend(name: NodeBackendName, options: { load?: ModuleLoader } = {}): Promise<BackendReport> {
  return selectBackend({ prefer: name, load: options.load })
}

/** What {@link selectBackend} chose and why the others were not taken (undefined before it ran). */
export function describeBackend(): BackendReport | undefined {
  return report
}

async function tryBackend(name: NodeBackendName, load: ModuleLoader): Promise<string | null> {
  try {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      const pkg = NATIVE_PACKAGES[name]
      try {
        load(pkg)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND'
          ? `${pkg} is not installed (npm install ${pkg})`
          : `${pkg} is installed but failed to load: ${(error as Error).message}`
      }
      if (!tf.findBackend('tensorflow') && !tf.findBackendFactory('tensorflow')) return `${pkg} loaded but registered no 'tensorflow' backend`
      return (await tf.setBackend('tensorflow')) ? null : `${pkg} loaded but its backend failed to initialise`
    }
    return (await tf.setBackend(name)) ? null : `the ${name} backend failed to initialise`
  } catch (error) {
    return (error as Error).message
  }
}

/** Resolves the native packages next to this package first, then from the working directory (the user's project). */
function defaultLoader(): ModuleLoader {
  const here = createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
  const project = createRequire(`${process.cwd()}/`)
  return (specifier) => {
    try {
      return here(specifier)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
      return project(specifier)
    }
  }
}

function wasmThreads(): number {
  const backend = tf.backend() as unknown as { getThreadsCount?: () => number }
  return backend.getThreadsCount?.() ?? 1
}

function sortCandidates(c: BackendReport['candidates']): BackendReport['candidates'] {
  return [...c].sort((a, b) => NODE_BACKENDS.indexOf(a.name) - NODE_BACKENDS.indexOf(b.name))
}
