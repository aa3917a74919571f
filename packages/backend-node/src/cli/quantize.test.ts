import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DialoGPT, loadGPT2 } from '@dialogpt/core'
import { describeShared, sharedPath } from '../../../../test/shared'
import { useBackend } from '../select-backend'
import { main } from './main'

const run = async (...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}
const dir = mkdtempSync(join(tmpdir(), 'dialogpt-quantize-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeShared('dialogpt quantize and chat --dtype on the gpt2-tiny fixture', ['fixtures', 'gpt2-tiny'], () => {
  const fixture = sharedPath('fixtures', 'gpt2-tiny')
  beforeAll(() => useBackend('wasm'))

  it('writes a q8 checkpoint that chat loads as q8, replying as the library does and as --dtype q8 on the float model does', async () => {
    const out = join(dir, 'q8')
    const r = await run('quantize', '--model', fixture, '--dtype', 'q8', '--out', out, '--json')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const written = JSON.parse(r.out) as { dtype: string; fileBytes: number; weightBytes: number }
    expect(written.dtype).toBe('q8')
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).dialogpt_quantization).toBe('q8')
    const fp32Bytes = readFileSync(join(fixture, 'model.safetensors')).length
    expect(written.fileBytes).toBeLessThan(0.35 * fp32Bytes)
    // Refuses to overwrite a model unless told to.
    expect((await run('quantize', '--model', fixture, '--dtype', 'q8', '--out', out)).code).toBe(2)
    expect((await run('quantize', '--model', fixture, '--dtype', 'q8', '--out', out, '--overwrite')).code).toBe(0)

    const script = join(dir, 'script.txt')
    writeFileSync(script, ['Hello there', 'How are you?', '/quit'].join('\n'))
    const flags = ['--max-new-tokens', '8', '--seed', '3', '--script', script]
    const saved = await run('chat', '--model', out, ...flags)
    const onLoad = await run('chat', '--model', fixture, '--dtype', 'q8', ...flags)
    expect(saved.code).toBe(0)
    expect(saved.err).toBe('')
    expect(onLoad.out).toBe(saved.out)
    const bot = new DialoGPT(await loadGPT2(out))
    expect(bot.model.dtype).toBe('q8')
    const chat = bot.chat({ generation: { maxNewTokens: 8, seed: 3 } })
    const first = await chat.send('Hello there')
    const second = await chat.send('How are you?')
    expect(saved.out.split('\n').slice(0, 4)).toEqual(['> Hello there', first, '> How are you?', second])
    bot.dispose()
  })

  it('refuses an unknown dtype and a missing one with the usage', async () => {
    const bad = await run('quantize', '--model', fixture, '--dtype', 'int4', '--out', join(dir, 'x'))
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--dtype must be q8, f16; got 'int4'/)
    expect((await run('quantize', '--model', fixture, '--out', join(dir, 'x'))).err).toMatch(/--dtype is required/)
    expect((await run('generate', '--model', fixture, '--dtype', 'q4', '--prompt', 'x')).err).toMatch(/--dtype must be fp32, f16, q8/)
    expect(existsSync(join(dir, 'x'))).toBe(false)
  })
})
