import * as tf from '@tensorflow/tfjs-core'

/** The browser backends, in the order they are tried. */
export const WEB_BACKENDS = ['webgpu', 'webgl', 'wasm'] as const
export type WebBackendName = (typeof WEB_BACKENDS)[number]

/** What was chosen, and why each candidate was or was not. */
export interface WebBackendReport {
  chosen: WebBackendName
  candidates: { name: WebBackendName; available: boolean; reason: string }[]
  /** WebGPU's largest storage buffer binding, when WebGPU was probed (the output head must fit one). */
  maxStorageBufferBindingSize?: number
}

export interface WebBackendOptions {
  /** Use this backend only (fail if it cannot start). Default: the first that starts of webgpu, webgl, wasm. */
  prefer?: WebBackendName
  /**
   * Where the tfjs wasm files are served from: a prefix such as `'/wasm/'`, or a map from each file
   * name (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`) to its URL (what bundlers
   * give you).
   */
  wasmPaths?: string | Record<string, string>
  /** Loads a backend package (injectable for tests). Default: dynamic `import()`. */
  load?: (name: WebBackendName) => Promise<unknown>
}

let report: WebBackendReport | undefined

const defaultLoad = (name: WebBackendName): Promise<unknown> => {
  if (name === 'webgpu') return import('@tensorflow/tfjs-backend-webgpu')
  if (name === 'webgl') return import('@tensorflow/tfjs-backend-webgl')
  return import('@tensorflow/tfjs-backend-wasm')
}

async function probeWebGpu(): Promise<{ ok: boolean; reason: string; limit?: number }> {
  const gpu = (globalThis.navigator as unknown as { gpu?: { requestAdapter(): Promise<{ limits: { maxStorageBufferBindingSize: number }; isFallbackAdapter?: boolean } | null> } } | undefined)?.gpu
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing (this browser has no WebGPU, or it is disabled)' }
  const adapter = await gpu.requestAdapter().catch(() => null)
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter is available' }
  const limit = adapter.limits.maxStorageBufferBindingSize
  return { ok: true, reason: `WebGPU adapter${adapter.isFallbackAdapter ? ' (software fallback)' : ''}, max storage buffer ${Math.round(limit / 2 ** 20)} MiB`, limit }
}

/**
 * Picks the best backend this browser offers: WebGPU, then WebGL, then wasm (served from
 * `wasmPaths`), or the one named in `prefer`. Each candidate's package is loaded only when tried.
 * Returns (and remembers, see {@link describeWebBackend}) what was chosen and why the others were not.
 */
export async function selectWebBackend(options: WebBackendOptions = {}): Promise<WebBackendReport> {
  const load = options.load ?? defaultLoad
  const order = options.prefer ? [options.prefer] : [...WEB_BACKENDS]
  if (options.prefer && !WEB_BACKENDS.includes(options.prefer)) throw new RangeError(`unknown backend '${options.prefer}' (use ${WEB_BACKENDS.join(', ')})`)
  const candidates: WebBackendReport['candidates'] = []
  let gpu: Awaited<ReturnType<typeof probeWebGpu>> | undefined
  for (const name of order) {
    try {
      if (name === 'webgpu') {
        gpu = await probeWebGpu()
        if (!gpu.ok) {
          candidates.push({ name, available: false, reason: gpu.reason })
          continue
        }
      }
      const module = (await load(name)) as { setWasmPaths?: (prefix: string | Record<string, string>) => void }
      if (name === 'wasm' && options.wasmPaths) module.setWasmPaths?.(options.wasmPaths)
      if (!(await tf.setBackend(name))) throw new Error('the backend did not initialise')
      await tf.ready()
      candidates.push({ name, available: true, reason: name === 'webgpu' ? `chosen: ${gpu!.reason}` : 'chosen' })
      for (const rest of order.slice(order.indexOf(name) + 1)) candidates.push({ name: rest, available: true, reason: `not tried: ${name} came first` })
      report = { chosen: name, candidates, maxStorageBufferBindingSize: gpu?.limit }
      return report
    } catch (error) {
      candidates.push({ name, available: false, reason: `failed to start: ${(error as Error).message}` })
    }
  }
  throw new Error(`no backend could start: ${candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`)
}

/** The last {@link selectWebBackend} report, if any. */
export function describeWebBackend(): WebBackendReport | undefined {
  return report
}
