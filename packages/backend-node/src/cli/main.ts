import { ready } from '../index'
import packageJson from '../../package.json' with { type: 'json' }
import { chatCommand, CHAT_USAGE } from './chat'
import { serveCommand, SERVE_USAGE } from './serve'
import { generateCommand, GENERATE_USAGE } from './generate'
import { mergeStoresCommand, MERGE_STORES_USAGE } from './merge-stores'
import { exportTorchCommand, EXPORT_TORCH_USAGE, importTorchCommand, IMPORT_TORCH_USAGE } from './torch-handoff'
import { prepareCommand, PREPARE_USAGE } from './prepare'
import { quantizeCommand, QUANTIZE_USAGE } from './quantize'
import { trainCommand, TRAIN_USAGE } from './train'
import { processIo, UsageError, type CliIo } from './io'

export const USAGE = `Usage: dialogpt <command> [options]

Commands:
  prepare      build a training store from Reddit dumps, train.tsv or JSON dialogues, with a filter report
  merge-stores combine the shards of a sharded 'prepare --shard I/N' run into one store
  export-torch hand a store and a checkpoint over to PyTorch (JSON lines, Hugging Face model, AdamW state)
  import-torch bring a PyTorch run back as a checkpoint that 'train --resume' continues
  train        fine-tune or train a model, with checkpoints and exact resume
  quantize     write a model with 8-bit (q8) or 16-bit (f16) weight matrices
  generate     generate replies with greedy, beam, sampling or MMI decoding
  chat         talk to a model in the terminal (streaming, history, /reset, /save), or let it talk to itself
  serve        an OpenAI-compatible chat-completions server (streaming, queue limits, API key)
  backend      print the TensorFlow.js backend this machine uses, and why

Run 'dialogpt <command> --help' for a command's options; '--version' works with every command.
The backend is chosen automatically (tfjs-node-gpu, tfjs-node, wasm, cpu); set DIALOGPT_BACKEND to force one.
`

/** The `dialogpt` command line, callable in-process. Returns the exit status. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv
  if (argv.includes('--version') || argv.includes('-V')) {
    io.stdout(`dialogpt ${packageJson.version}\n`)
    return 0
  }
  try {
    switch (command) {
      case 'serve':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await serveCommand(rest, io)
      case 'chat':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await chatCommand(rest, io, process.stdin, io === processIo && process.stdin.isTTY === true)
      case 'generate':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await generateCommand(rest, io)
      case 'prepare':
        return await prepareCommand(rest, io, io === processIo && process.stderr.isTTY === true)
      case 'merge-stores':
        return await mergeStoresCommand(rest, io)
      case 'export-torch':
        return await exportTorchCommand(rest, io)
      case 'import-torch':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await importTorchCommand(rest, io)
      case 'train':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await trainCommand(rest, io, io === processIo && process.stderr.isTTY === true)
      case 'quantize':
        if (!rest.includes('--help') && !rest.includes('-h')) await ready
        return await quantizeCommand(rest, io)
      case 'backend': {
        const report = await ready
        io.stdout(`${JSON.stringify(report, null, 2)}\n`)
        return 0
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command '${command}'`)
    }
  } catch (error) {
    const usage = error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
    io.stderr(`dialogpt: ${(error as Error).message}\n`)
    const usages: Record<string, string> = { serve: SERVE_USAGE, chat: CHAT_USAGE, generate: GENERATE_USAGE, prepare: PREPARE_USAGE, 'merge-stores': MERGE_STORES_USAGE, 'export-torch': EXPORT_TORCH_USAGE, 'import-torch': IMPORT_TORCH_USAGE, train: TRAIN_USAGE, quantize: QUANTIZE_USAGE }
    if (usage) io.stderr(`\n${usages[command ?? ''] ?? USAGE}`)
    return usage ? 2 : 1
  }
}
