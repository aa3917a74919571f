import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DialoGPT, GPT2, gpt2Config, loadGPT2, saveGPT2 } from '@dialogpt/core'
import { describeShared, sharedPath } from '../../../../test/shared'
import { useBackend } from '../select-backend'
import { main } from './main'

const run = async (...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}
const dir = mkdtempSync(join(tmpdir(), 'dialogpt-chat-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeShared('dialogpt chat on the gpt2-tiny fixture', ['fixtures', 'gpt2-tiny'], () => {
  const model = sharedPath('fixtures', 'gpt2-tiny')
  let reference: DialoGPT
  beforeAll(async () => {
    await useBackend('wasm')
    reference = new DialoGPT(await loadGPT2(model))
  })
  afterAll(() => reference?.dispose())
  const flags = ['--model', model, '--max-new-tokens', '8', '--seed', '3']

  it('runs a scripted conversation: turns, /history, /save, /reset, /quit; the replies are the library\'s', async () => {
    const script = join(dir, 'script.txt')
    const saved = join(dir, 'saved.json')
    writeFileSync(script, ['Hello there', 'How are you?', '/history', `/save ${saved}`, '/reset', '/history', 'Again', '/quit', 'never read'].join('\n'))
    const r = await run('chat', ...flags, '--script', script)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    // The same conversation through ChatSession, with the same settings.
    const chat = reference.chat({ generation: { maxNewTokens: 8, seed: 3 } })
    const first = await chat.send('Hello there')
    const second = await chat.send('How are you?')
    const lines = r.out.split('\n')
    expect(lines[0]).toBe('> Hello there')
    expect(lines[1]).toBe(first)
    expect(lines[2]).toBe('> How are you?')
    expect(lines[3]).toBe(second)
    expect(r.out).toContain(`you: Hello there\nbot: ${first}\nyou: How are you?\nbot: ${second}\n`)
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual([
      { role: 'user', text: 'Hello there' },
      { role: 'bot', text: first },
      { role: 'user', text: 'How are you?' },
      { role: 'bot', text: second },
    ])
    expect(r.out).toContain('(the conversation is forgotten)\n> /history\n> Again\n')
    expect(r.out).not.toContain('never read')
  })

  it('plays both sides for N turns with --self-play, each turn generated from the whole dialogue', async () => {
    const r = await run('chat', ...flags, '--self-play', '3', '--prompt', 'Does money buy happiness?')
    expect(r.code).toBe(0)
    const turns = ['Does money buy happiness?']
    for (let i = 0; i < 3; i++) turns.push(await reference.reply(turns, { maxNewTokens: 8, seed: 3 }))
    expect(r.out).toBe(`A: ${turns[0]}\nB: ${turns[1]}\nA: ${turns[2]}\nB: ${turns[3]}\n`)
  })

  it('prints the version with --version on every command, and refuses --prompt without --self-play', async () => {
    const version = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')).version
    for (const args of [['--version'], ['chat', '--version'], ['generate', '--version'], ['train', '--version'], ['prepare', '--version']]) expect((await run(...args)).out).toBe(`dialogpt ${version}\n`)
    expect((await run('chat', ...flags, '--prompt', 'x')).code).toBe(2)
  })
})

describe('dialogpt chat interrupted', () => {
  it('stops the reply being written on Ctrl-C (SIGINT), keeps what was shown, and goes on with the next turn', async () => {
    // A model that writes long replies: eos banned for 1500 tokens.
    const long = join(dir, 'long')
    await saveGPT2(GPT2.random(gpt2Config({ ...gpt2Config('micro'), vocab_size: 50257, bos_token_id: 50256, eos_token_id: 50256, n_positions: 2048 }), 4), long)
    const bin = resolve(__dirname, '../bin/dialogpt.ts')
    const root = resolve(__dirname, '../../../..')
    const child = spawn(process.execPath, ['--conditions=@dialogpt/source', '--import', 'tsx', bin, 'chat', '--model', long, '--max-new-tokens', '1500', '--min-new-tokens', '1500', '--seed', '1'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DIALOGPT_BACKEND: 'wasm' } })
    let out = ''
    let err = ''
    let interrupted = false
    const exited = new Promise<number | null>((done) => child.on('close', done))
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      // Some of the reply is out: interrupt it, then ask for the history and leave.
      if (!interrupted && out.length > '> hello\n'.length + 40) {
        interrupted = true
        child.kill('SIGINT')
      }
      if (out.includes(' [stopped]\n') && !out.includes('> /history')) child.stdin.end('/history\n/quit\n')
    })
    child.stdin.write('hello\n')
    expect(await exited, err).toBe(0)
    expect(out).toContain(' [stopped]\n')
    const shown = out.slice('> hello\n'.length, out.indexOf(' [stopped]\n'))
    expect(shown.length).toBeGreaterThan(40)
    // The history holds the user's turn and exactly the part of the reply that was shown.
    expect(out).toContain(`you: hello\nbot: ${shown}\n`)
  })
})
