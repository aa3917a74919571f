import { readFile, writeFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import type { ChatSession } from '@dialogpt/core'
import { DECODING_BOOLEAN_FLAGS, DECODING_STRING_FLAGS, DECODING_USAGE, loadBot } from './decoding-flags'
import { flagTable, intFlag, UsageError, type CliIo } from './io'
import { bar, ProgressLine } from './progress'

export const CHAT_USAGE = `Usage: dialogpt chat --model DIR_OR_REPO [options]

An interactive, multi-turn chat in the terminal; replies stream as they are generated. The history
is kept and cut by whole turns to fit the model. Defaults: the chat defaults (top-K 50, top-p 0.9,
temperature 0.8, no-repeat 3-gram, 64 new tokens), then the model's generation_config.json, then
the flags.

Commands while chatting:
  /reset        forget the conversation        /history     show it
  /save FILE    write it as JSON                /quit        leave (or Ctrl-D)
Ctrl-C stops the reply being written, not the program.

${DECODING_USAGE}Batch use:
  --script FILE                read the user's turns (and commands) from FILE, one per line
  --self-play N --prompt TEXT  the bot answers itself for N turns, starting from TEXT
`

/** `dialogpt chat`. Returns the exit status. */
export async function chatCommand(argv: string[], io: CliIo, input: NodeJS.ReadableStream = process.stdin, isTTY = false): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: flagTable([...DECODING_STRING_FLAGS, 'script', 'self-play', 'prompt'] as const, [...DECODING_BOOLEAN_FLAGS] as const) })
  if (values.help) {
    io.stdout(CHAT_USAGE)
    return 0
  }
  const selfPlay = intFlag(values['self-play'], 'self-play', 1)
  if (selfPlay !== undefined && values.prompt === undefined) throw new UsageError('--self-play needs --prompt TEXT to start from')
  if (selfPlay === undefined && values.prompt !== undefined) throw new UsageError('--prompt goes with --self-play; in a chat, type the message')
  const progress = new ProgressLine(io.stderr, isTTY, 2000)
  const { bot, config, dispose } = await loadBot(values, io, undefined, (e) => {
    if (!e.fromCache) progress.update(`${bar(e.total ? e.loaded / e.total : 0)} ${e.file} ${(e.loaded / 2 ** 20).toFixed(1)}/${(e.total / 2 ** 20).toFixed(1)} MiB`, e.done)
  })
  progress.done()
  try {
    if (selfPlay !== undefined) return await runSelfPlay(bot, config, values.prompt!, selfPlay, io)
    const chat = bot.chat({ generation: config })
    try {
      const lines = values.script === undefined ? input : await scriptLines(values.script)
      return await converse(chat, lines, io, values.script !== undefined || !isTTY)
    } finally {
      chat.dispose()
    }
  } finally {
    dispose()
  }
}

async function scriptLines(path: string): Promise<NodeJS.ReadableStream> {
  const text = await readFile(path, 'utf8').catch((e: Error) => {
    throw new UsageError(`--script: cannot read ${path}: ${e.message}`)
  })
  return Readable.from([text])
}

/** Paper Table 6 style: A says the prompt, then B and A alternate, each reply generated from the whole dialogue. */
async function runSelfPlay(bot: Awaited<ReturnType<typeof loadBot>>['bot'], config: Parameters<ChatSession['send']>[1], prompt: string, turns: number, io: CliIo): Promise<number> {
  const dialogue = [prompt]
  io.stdout(`A: ${prompt}\n`)
  for (let i = 0; i < turns; i++) {
    const reply = await bot.reply(dialogue, config)
    dialogue.push(reply)
    io.stdout(`${i % 2 === 0 ? 'B' : 'A'}: ${reply}\n`)
  }
  return 0
}

/**
 * The chat loop: each line is a user turn or a command; replies stream to stdout. Ctrl-C (SIGINT)
 * during a reply stops it (its shown part stays in the history); at the prompt it says how to leave.
 */
async function converse(chat: ChatSession, input: NodeJS.ReadableStream, io: CliIo, echo: boolean): Promise<number> {
  const rl = createInterface({ input, terminal: false })
  let replying: AbortController | null = null
  const onInterrupt = () => {
    if (replying) replying.abort()
    else io.stderr('\n(type /quit or press Ctrl-D to leave)\n')
  }
  process.on('SIGINT', onInterrupt)
  rl.on('SIGINT', onInterrupt)
  const prompt = () => !echo && io.stdout('> ')
  try {
    prompt()
    for await (const raw of rl) {
      const line = raw.trim()
      if (echo && line) io.stdout(`> ${line}\n`)
      if (!line) {
        prompt()
        continue
      }
      if (line.startsWith('/')) {
        const [command, ...args] = line.split(/\s+/)
        if (command === '/quit' || command === '/exit') return 0
        if (command === '/reset') {
          chat.reset()
          io.stdout('(the conversation is forgotten)\n')
        } else if (command === '/history') {
          for (const turn of chat.history) io.stdout(`${turn.role === 'user' ? 'you' : 'bot'}: ${turn.text}\n`)
        } else if (command === '/save') {
          const file = args.join(' ')
          if (!file) io.stderr('usage: /save FILE\n')
          else {
            await writeFile(file, `${JSON.stringify(chat.history.map(({ role, text }) => ({ role, text })), null, 2)}\n`)
            io.stdout(`(saved ${chat.history.length} turns to ${file})\n`)
          }
        } else io.stderr(`unknown command ${command}: /reset, /history, /save FILE, /quit\n`)
        prompt()
        continue
      }
      replying = new AbortController()
      try {
        for await (const piece of chat.stream(line, { signal: replying.signal })) io.stdout(piece)
        io.stdout(chat.lastFinishedBy === 'filtered' ? ' [filtered]\n' : '\n')
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error
        io.stdout(' [stopped]\n')
      } finally {
        replying = null
      }
      prompt()
    }
    return 0
  } finally {
    process.off('SIGINT', onInterrupt)
    rl.close()
  }
}
