/**
 * @packageDocumentation
 * `@dialogpt/backend-web`: DialoGPT in the browser — backend selection (WebGPU, then WebGL, then
 * wasm), models loaded from a URL with download progress and the Cache Storage (a second visit
 * loads offline), and a clear error when a model cannot fit the backend.
 *
 * ```ts
 * import { selectWebBackend, loadWebModel } from '@dialogpt/backend-web'
 * await selectWebBackend({ wasmPaths: '/wasm/' })
 * const bot = await loadWebModel('/models/dialogpt-small/', { onProgress: (p) => console.log(p) })
 * for await (const piece of bot.chat().stream('Hello!')) console.log(piece)
 * ```
 */
import { registerWasmKernels } from '@dialogpt/core/wasm-kernels'
import { setQuantThreads } from '@dialogpt/core'
import { webQuantWorker, webQuantThreads } from './quant-workers'

// The model's fast paths on tfjs-wasm (used only while wasm is the backend).
registerWasmKernels()
// 8- and 16-bit weights multiply on worker threads too where the page may share memory.
setQuantThreads({ threads: webQuantThreads(), spawn: webQuantWorker })

export { selectWebBackend, describeWebBackend, WEB_BACKENDS, type WebBackendName, type WebBackendOptions, type WebBackendReport } from './select-web-backend'
export { fetchCached, WebDownloadError, type CacheLike, type FetchCachedOptions, type WebProgress } from './weight-cache'
export { loadWebModel, checkModelFits, huggingFaceUrl, type LoadWebModelOptions } from './load-web-model'
export { ModelTooLargeError } from '@dialogpt/core'
export { webQuantWorker, webQuantThreads } from './quant-workers'
