import { DialoGPT, gpt2FromStateDict, readSafetensors, type GPT2Config } from '@dialogpt/core'
import { describeWebBackend } from './select-web-backend'
import { fetchCached, type FetchCachedOptions } from './weight-cache'

/** The model cannot run on the chosen backend: `reason` says why and what to do. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError'
}

/** The wasm heap is 32-bit: 4 GiB for weights, activations and XNNPACK's packed copies. */
const WASM_HEAP = 4 * 2 ** 30

/**
 * Checks that a model of `config` fits the backend in use: on WebGPU the tied `wte` matrix must fit
 * one storage buffer binding; on wasm the weights (and XNNPACK's packed copy of them) must leave
 * room in the 4 GiB heap. Throws {@link ModelTooLargeError} naming the limit and the way out.
 */
export function checkModelFits(config: GPT2Config, backend = describeWebBackend()): void {
  if (!backend) return
  const wteBytes = config.vocab_size * config.n_embd * 4
  const n = config.n_layer * 12 * config.n_embd * config.n_embd + (config.vocab_size + config.n_positions) * config.n_embd
  if (backend.chosen === 'webgpu' && backend.maxStorageBufferBindingSize !== undefined && wteBytes > backend.maxStorageBufferBindingSize) {
    throw new ModelTooLargeError(`transformer.wte.weight needs ${(wteBytes / 2 ** 20).toFixed(0)} MiB in one buffer, but this WebGPU adapter binds at most ${(backend.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB: use { prefer: 'webgl' } or 'wasm'`)
  }
  if (backend.chosen === 'wasm' && n * 4 * 2 > WASM_HEAP * 0.8) {
    throw new ModelTooLargeError(`about ${((n * 4) / 2 ** 30).toFixed(1)} GiB of fp32 weights (twice that with XNNPACK's packed copies) do not fit the wasm backend's 4 GiB heap: use WebGPU or WebGL, or a smaller model`)
  }
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
  const { model } = gpt2FromStateDict(readSafetensors(weights).tensors, config)
  return new DialoGPT(model)
}
