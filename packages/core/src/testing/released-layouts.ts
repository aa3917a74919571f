// Test helper: a state dict written as torch files in the key layouts the released GPT-2 / DialoGPT checkpoints use.
import { PyOrderedDict, TorchTensor, type TorchStorage } from '../checkpoint/pickle-writer'
import { float32ToFloat16Bits, type StateDict } from '../checkpoint/tensor-data'
import { MemorySink, writeTorchLegacy, writeTorchZip } from '../checkpoint/torch-writer'

export interface ReleasedLayout {
  /** `'module.'` for a DataParallel save. Default none. */
  prefix?: string
  /** Drop `transformer.` (the original GPT-2 `pytorch_model.bin`). Default false. */
  bareNames?: boolean
  /** Which name the output head is saved under, if at all. Default none. */
  head?: 'lm_head.weight' | 'lm_head.decoder.weight'
  /** The head's values: the embedding's own storage (tied in memory, as `torch.save` of a tied model writes it), a separate copy, or `wte × scale` (an untied head). Default `'shared'`. */
  headValues?: 'shared' | 'copy' | { scale: number }
  /** Stored dtype. Default float32. */
  dtype?: 'float32' | 'float16'
  /** Write the `attn.bias` causal-mask buffers the original model class registers. Default false. */
  attnBias?: boolean
  /** Container. Default `'zip'`. */
  container?: 'zip' | 'legacy'
}

function storageOf(data: Float32Array, dtype: 'float32' | 'float16'): TorchStorage {
  const bytes = dtype === 'float32' ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(float32ToFloat16Bits(data).buffer)
  return { dtype, numel: data.length, bytes }
}

const contiguous = (storage: TorchStorage, shape: readonly number[]) =>
  new TorchTensor(storage, 0, shape, shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)))

/** Writes `reference` (Hugging Face names, float32) as a torch file in `layout`. */
export async function writeReleasedLayout(reference: StateDict, layout: ReleasedLayout = {}): Promise<Uint8Array> {
  const dtype = layout.dtype ?? 'float32'
  const prefix = layout.prefix ?? ''
  const name = (hf: string) => prefix + (layout.bareNames ? hf.replace(/^transformer\./, '') : hf)
  const dict = new PyOrderedDict()
  let wteStorage: TorchStorage | undefined
  let nPositions = 0
  for (const [hf, t] of reference) {
    const storage = storageOf(t.data as Float32Array, dtype)
    if (hf === 'transformer.wte.weight') wteStorage = storage
    if (hf === 'transformer.wpe.weight') nPositions = t.shape[0]!
    dict.entries.set(name(hf), contiguous(storage, t.shape))
    const block = /^transformer\.h\.(\d+)\.ln_1\.weight$/.exec(hf)
    if (layout.attnBias && block) {
      const mask = new Float32Array(nPositions * nPositions).map((_, i) => (i % nPositions <= Math.floor(i / nPositions) ? 1 : 0))
      dict.entries.set(name(`transformer.h.${block[1]}.attn.bias`), contiguous(storageOf(mask, dtype), [1, 1, nPositions, nPositions]))
    }
  }
  if (layout.head) {
    const wte = reference.get('transformer.wte.weight')!
    const values = layout.headValues ?? 'shared'
    const storage =
      values === 'shared' ? wteStorage! : storageOf(values === 'copy' ? Float32Array.from(wte.data) : Float32Array.from(wte.data, (x) => x * values.scale), dtype)
    dict.entries.set(prefix + layout.head, contiguous(storage, wte.shape))
  }
  const sink = new MemorySink()
  if (layout.container === 'legacy') await writeTorchLegacy(dict, sink)
  else await writeTorchZip(dict, sink)
  return sink.bytes()
}
