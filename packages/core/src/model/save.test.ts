import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { saveGPT2 } from '../pretrained/save-gpt2'
import { describeShared, sharedPath } from '../../../../test/shared'
import { readSafetensors } from '../checkpoint/safetensors'
import { CheckpointError } from '../checkpoint/errors'
import { loadTiny, useBackend } from '../testing/tiny'
import { gpt2Config } from './config'
import { GPT2 } from './gpt2'

describeShared('save() and fromPretrained() with local files', ['fixtures', 'gpt2-tiny'], () => {
  let model: GPT2
  beforeAll(async () => {
    await useBackend('cpu')
    model = loadTiny()
  })
  afterAll(() => model.dispose())

  it.each([
    ['float16', 'F16', 10, -14, 2],
    ['bfloat16', 'BF16', 7, -126, 2],
  ] as const)('saves in %s: safetensors %s with torch_dtype to match, half the bytes, each weight rounded to nearest-even', async (dtype, stType, mantissaBits, minExponent, bytesPerWeight) => {
    const dir = mkdtempSync(join(tmpdir(), `gpt2-save-${dtype}-`))
    await saveGPT2(model, dir, { dtype })
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).torch_dtype).toBe(dtype)
    const file = readFileSync(join(dir, 'model.safetensors'))
    const header = JSON.parse(file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8'))
    expect(header['transformer.wte.weight'].dtype).toBe(stType)
    expect(file.length).toBeLessThan((model.numParameters * bytesPerWeight) + 20_000)
    const loaded = await loadGPT2(dir)
    // Every value within half a unit in the last place of the stored format (subnormals below its smallest normal exponent), checked with plain arithmetic.
    for (const [name, v] of model.parameters()) {
      const a = v.dataSync()
      const b = loaded.parameters().get(name)!.dataSync()
      for (let i = 0; i < a.length; i++) {
        const ulp = 2 ** (Math.max(minExponent, Math.floor(Math.log2(Math.abs(a[i]!) || 2 ** minExponent))) - mantissaBits)
        if (Math.abs(a[i]! - b[i]!) > ulp / 2) throw new Error(`${name}[${i}]: ${a[i]} saved as ${b[i]} (ulp ${ulp})`)
      }
    }
    loaded.dispose()
    await expect(saveGPT2(model, dir, { dtype: 'int8' as never })).rejects.toThrow(/dtype must be float32, float16 or bfloat16/)
  })

  it('round-trips bit-exactly through save() and fromPretrained(dir)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpt2-save-'))
    await saveGPT2(model, dir)
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    expect(config).toMatchObject({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_embd: 64, n_layer: 2, n_head: 4, vocab_size: 50257 })
    // The file is plain Hugging Face safetensors: names, F32, no lm_head.
    const { tensors, metadata } = readSafetensors(readFileSync(join(dir, 'model.safetensors')))
    expect(metadata).toEqual({ format: 'pt' })
    expect([...tensors.keys()].sort()).toEqual([...model.parameters().keys()].sort())
    const loaded = await loadGPT2(dir)
    for (const [name, v] of model.parameters()) {
      const w = loaded.parameters().get(name)!
      const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
      expect(bytes(w.dataSync()).equals(bytes(v.dataSync())), name).toBe(true)
    }
    expect(loaded.config).toEqual(model.config)
    loaded.dispose()
  })

  it('loads every honest checkpoint file to the same weights', async () => {
    const reference = readSafetensors(readFileSync(sharedPath('fixtures', 'gpt2-tiny', 'model.safetensors'))).tensors
    for (const file of ['gpt2tiny_zip_fp32.bin', 'gpt2tiny_legacy_fp32.bin', 'gpt2tiny_legacy_fp16_dialogpt.bin', 'gpt2tiny_zip_fp16.bin', 'gpt2tiny_f16.safetensors', 'gpt2tiny_bf16.safetensors', 'gpt2tiny_zip_bf16_noprefix.bin']) {
      const m = await loadGPT2(sharedPath('fixtures', 'checkpoints', file))
      const tol = file.includes('16') ? (file.includes('bf16') ? 2 ** -8 : 2 ** -11) : 0
      for (const [name, v] of m.parameters()) {
        const ref = reference.get(name)!.data
        const got = v.dataSync()
        let worst = 0
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / Math.max(Math.abs(ref[i]!), 2 ** -14))
        expect(worst, `${file} ${name}`).toBeLessThanOrEqual(tol)
      }
      m.dispose()
    }
  })

  it('names the file and the tensor when a checkpoint does not fit the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpt2-bad-'))
    const bad = GPT2.random(gpt2Config('micro'))
    await saveGPT2(bad, dir)
    bad.dispose()
    // A config.json claiming more layers than the tensors hold is corrected from the tensors.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...gpt2Config('micro'), n_layer: 5 }))
    const m = await loadGPT2(dir)
    expect(m.config.n_layer).toBe(2)
    m.dispose()
    await expect(loadGPT2(join(dir, 'missing'))).rejects.toThrow(`${join(dir, 'missing')}: no such file or directory`)
    await expect(loadGPT2('./nope')).rejects.toThrow('./nope: no such file or directory')
    writeFileSync(join(dir, 'model.safetensors'), readFileSync(sharedPath('fixtures', 'checkpoints', 'hostile', 'pickle_global_os_system.bin')))
    await expect(loadGPT2(dir)).rejects.toThrow(CheckpointError)
    await expect(loadGPT2(dir)).rejects.toThrow(`${join(dir, 'model.safetensors')}: refusing to call os.system`)
  })
})
