import { checkRepoId, checkRevision, DialoGPT, isQuantizable, kernelsFor, ModelTooLargeError, parameterShapes, QUANTIZATION_METADATA_KEY, readStateDict, type GPT2Config, type WeightDType } from '@dialogpt/core'
import { describeWebBackend } from './select-web-backend'
import { fetchCached, type FetchCachedOptions } from './weight-cache'

/**
 * Checks that a model of `config` fits the backend in use: on WebGPU the tied `wte` matrix must fit
 * one storage buffer binding; on wasm the weights, XNNPACK's packed copies and working memory must
 * fit the 4 GiB heap (the wasm kernels' `checkModel`). Throws {@link ModelTooLargeError} naming the limit
 * and the way out. With `dtype` q8 or f16 the matrices live outside the backend (in the quantized
 * kernels' memory) and are not counted.
 */
export function checkModelFits(config: GPT2Config, backend = describeWebBackend(), dtype: WeightDType = 'fp32'): void {
  if (!backend) return
  if (dtype !== 'fp32') {
    kernelsFor(backend.chosen)?.checkModel?.(config, new Set([...parameterShapes(config).keys()].filter(isQuantizable)))
    return
  }
  const wteBytes = config.vocab_size * config.n_embd * 4
  if (backend.chosen === 'webgpu' && backend.maxStorageBufferBindingSize !== undefined && wteBytes > backend.maxStorageBufferBindingSize) {
    throw new ModelTooLargeError(
      `transformer.wte.weight needs ${(wteBytes / 2 ** 20).toFixed(0)} MiB in one buffer, but this WebGPU adapter binds at most ${(backend.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB: use { prefer: 'webgl' } or 'wasm'`,
      wteBytes,
      backend.maxStorageBufferBindingSize,
    )
  }
  kernelsFor(backend.chosen)?.checkModel?.(config)
}

/** Options of {@link loadWebModel}: those of {@link fetchCached}, and which weight file to read. */
export interface LoadWebModelOptions extends FetchCachedOptions {
  /**
   * The weight file. Default: `model.safetensors`, or `pytorch_model.bin` when the server has no
   * safetensors (HTTP 404), as DialoGPT-medium and -large publish safetensors only on `refs/pr/N`.
   */
  weights?: 'model.safetensors' | 'pytorch_model.bin'
  /**
   * How to hold the weight matrices: `'q8'` (8-bit blocks, a quarter of the memory: DialoGPT-large
   * fits a tab), `'f16'` or `'fp32'`. Default: what the checkpoint holds. q8 and f16 multiply in
   * the quantized WebAssembly kernels, on worker threads when the page is cross-origin isolated.
   */
  dtype?: WeightDType
}

/**
 * The URL prefix of a Hub repository's files at a revision (a branch, a tag, a commit or
 * `refs/pr/N`, checked as the Node client checks it): `huggingFaceUrl('microsoft/DialoGPT-medium',
 * { revision: 'refs/pr/9' })`. `endpoint` defaults to `https://huggingface.co`.
 */
export function huggingFaceUrl(repo: string, options: { revision?: string; endpoint?: string } = {}): string {
  const revision = options.revision ?? 'main'
  checkRepoId(repo)
  checkRevision(revision, repo)
  const endpoint = (options.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '')
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/`
}

/**
 * Loads a DialoGPT from a URL prefix serving `config.json` and the weights (a Hugging Face model
 * folder: see {@link huggingFaceUrl}, or your own server), with download progress, the Cache
 * Storage (a second visit loads offline) and a clear error when the model cannot fit the backend.
 * The weights may be `model.safetensors` or a PyTorch `pytorch_model.bin` (zip or legacy, fp32 or
 * fp16, any released key layout); `generation_config.json`, when the server has one, is applied
 * under each call's options. Call `selectWebBackend()` first.
 */
export async function loadWebModel(baseUrl: string, options: LoadWebModelOptions = {}): Promise<DialoGPT> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const config = JSON.parse(new TextDecoder().decode(await fetchCached(`${base}config.json`, options))) as Partial<GPT2Config>
  const full = { vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, ...config } as GPT2Config
  const stored = (config as Record<string, unknown>)[QUANTIZATION_METADATA_KEY] as WeightDType | undefined
  checkModelFits(full, describeWebBackend(), options.dtype ?? stored ?? 'fp32')
  // A missing safetensors (404, remembered in the cache so a second visit works offline) falls back to pytorch_model.bin.
  const bytes =
    options.weights !== undefined
      ? await fetchCached(`${base}${options.weights}`, options)
      : ((await fetchCached(`${base}model.safetensors`, { ...options, absentOk: true })) ?? (await fetchCached(`${base}pytorch_model.bin`, options)))
  const generation = await fetchCached(`${base}generation_config.json`, { ...options, absentOk: true })
  const generationConfig = generation ? (JSON.parse(new TextDecoder().decode(generation)) as Record<string, unknown>) : undefined
  return DialoGPT.fromFiles({ stateDict: readStateDict(bytes), config, generationConfig }, { dtype: options.dtype })
}
