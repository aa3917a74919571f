import { DialoGPT, GPT2, kernelsFor, ModelTooLargeError, readSafetensors, type GPT2Config } from '@dialogpt/core'
import { describeWebBackend } from './select-web-backend'
import { fetchCached, type FetchCachedOptions } from './weight-cache'

/**
 * Checks that a model of `config` fits the backend in use: on WebGPU the tied `wte` matrix must fit
 * one storage buffer binding; on wasm the weights, XNNPACK's packed copies and working memory must
 * fit the 4 GiB heap (the wasm kernels' `checkModel`). Throws {@link ModelTooLargeError} naming the limit
 * and the way out.
 */
export function checkModelFits(config: GPT2Config, backend = describeWebBackend()): void {
  if (!backend) return
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

/** Options of {@link loadWebModel}: those of {@link fetchCached}. */
export type LoadWebModelOptions = FetchCachedOptions

/**
 * Loads a DialoGPT from a URL prefix serving `config.json` and `model.safetensors` (a Hugging Face
 * model folder, e.g. `https://huggingface.co/microsoft/DialoGPT-small/resolve/main/` or your own
 * server), with download progress, the Cache Storage (a second visit loads offline) and a clear
 * error when the model cannot fit the backend. Call `selectWebBackend()` first.
 */
export async function loadWebModel(baseUrl: string, options: LoadWebModelOptions = {}): Promise<DialoGPT> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const config = JSON.parse(new TextDecoder().decode(await fetchCached(`${base}config.json`, options))) as Partial<GPT2Config>
  const full = { vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, ...config } as GPT2Config
  checkModelFits(full)
  const weights = await fetchCached(`${base}model.safetensors`, options)
  const model = GPT2.fromStateDict(readSafetensors(weights).tensors, config)
  return new DialoGPT(model)
}
