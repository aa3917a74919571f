// `pnpm demo`: the paper in miniature, offline, in a few minutes on two cores.
//   1. prepare: Reddit-format comments → root-to-leaf sessions → the paper's filters (report) → token stores
//   2. train a tiny forward model and a tiny backward (MMI) model from scratch, with progress
//   3. answer held-out prompts with greedy, beam search, top-K sampling and MMI reranking
//   4. score every decoder with the DSTC-7 metrics (NIST, BLEU, METEOR, Entropy, Dist, length)
// Options:
//   --data FILE...        Reddit dumps to use instead of the shipped sample (e.g. ../shared/data/pushshift-...)
//   --model ID_OR_DIR     fine-tune a pretrained model (e.g. microsoft/DialoGPT-small, where the Hub is reachable)
//   --steps N             training steps per model (default 250)
//   --out DIR             where stores, checkpoints and logs go (default: a temporary directory)
//   --meteor-data DIR     METEOR 1.5's English data (else ../shared/meteor-data if present, else METEOR is skipped)
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ready } from '@dialogpt/backend-node'
import { causalLM, GPT2, GPT2Tokenizer, gpt2Config, loadGPT2, Trainer, type StepEvent } from '@dialogpt/core'
import { EOS_TOKEN_ID, formatPrepareReport, emptyReport, turnsToFeatures, type ExampleSource } from '@dialogpt/data'
import { prepareSessions, TokenStore, writeStore, type PreparedSession } from '@dialogpt/data/node'
import { generate, type GenerationConfig } from '@dialogpt/decode'
import { dstcEvaluate, formatMteval, type DstcEvaluation } from '@dialogpt/metrics'
import { findMeteorResources } from './evaluate'
import { CompactVocab } from './demo/compact-vocab'
import { multiReference, splitByThread, withoutHeldOutText } from './demo/split'

const here = dirname(fileURLToPath(import.meta.url))
const EOS = EOS_TOKEN_ID
const { values: args } = parseArgs({
  options: { data: { type: 'string', multiple: true }, model: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' }, 'meteor-data': { type: 'string' } },
  allowPositionals: true,
})
async function main(): Promise<void> {
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`
  const section = (title: string) => console.log(`\n== ${title} ${'='.repeat(Math.max(0, 70 - title.length))} [${elapsed()}]`)

  const backend = await ready
  const chosen = backend.candidates.find((c) => c.name === backend.chosen)
  console.log(`@dialogpt demo: DialoGPT in miniature (backend: ${backend.chosen}: ${chosen?.reason ?? ''})`)
  const out = args.out ?? mkdtempSync(join(tmpdir(), 'dialogpt-demo-'))
  const steps = Number(args.steps ?? 250)
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got '${args.steps}'`)
  const inputs = args.data ?? [join(here, 'data', 'reddit-sample.jsonl')]

  // 1. prepare -------------------------------------------------------------------------------------
  section('1. prepare: comments → sessions → filters')
  console.log(`input: ${inputs.join(', ')}`)
  const report = emptyReport()
  const sessions: PreparedSession[] = []
  for await (const s of prepareSessions({ inputs, filters: { subredditBlocklist: ['getrichfast'] } }, report)) sessions.push(s)
  const byThread = splitByThread(sessions)
  const tests = multiReference(byThread.test)
  // No held-out reference may appear in training, word for word (the sample reuses sentences across threads).
  const honestTrain = withoutHeldOutText(byThread.train, tests)
  const honestValid = withoutHeldOutText(byThread.valid, tests)
  const split = { train: honestTrain.kept, valid: honestValid.kept, test: byThread.test }
  const maxLength = 64
  const features = (list: PreparedSession[], reverse: boolean) => list.flatMap((s) => turnsToFeatures(s.turns.map((text, i) => ({ text, weight: s.weights[i]! })), { maxLength, reverse }))
  report.examples = features(sessions, false).length
  console.log(formatPrepareReport(report).trimEnd())
  console.log(`split by thread: ${split.train.length} train, ${split.valid.length} valid, ${split.test.length} test sessions (${tests.length} test prompts with ${split.test.length} references)`)
  console.log(`  left out of training: ${honestTrain.dropped} train and ${honestValid.dropped} valid sessions that contain a held-out reference word for word`)
  const stores: Record<string, TokenStore> = {}
  for (const [name, list, reverse] of [
    ['train', split.train, false],
    ['valid', split.valid, false],
    ['train-reverse', split.train, true],
    ['valid-reverse', split.valid, true],
  ] as const) {
    const manifest = await writeStore(join(out, 'stores', name), features(list, reverse), { overwrite: true, meta: { demo: true } })
    stores[name] = await TokenStore.open(join(out, 'stores', name))
    console.log(`store ${name.padEnd(13)} ${String(manifest.examples).padStart(5)} examples, ${String(manifest.tokens).padStart(6)} tokens (${manifest.labelledTokens} trained)`)
  }

  // 2. train ---------------------------------------------------------------------------------------
  const tokenizer = new GPT2Tokenizer()
  let vocab: CompactVocab | null = null
  let makeModel: (seed: number) => Promise<GPT2>
  if (args.model) {
    section(`2. fine-tune ${args.model}`)
    makeModel = () => loadGPT2(args.model!)
  } else {
    section('2. train tiny models from scratch')
    const ids: number[] = []
    for (const store of Object.values(stores)) for (let i = 0; i < store.size; i++) ids.push(...(await store.get(i)).inputIds)
    for (const t of tests) ids.push(...tokenizer.encodeTurns(t.context))
    vocab = new CompactVocab([...ids, EOS], EOS)
    const config = gpt2Config({ n_layer: 4, n_embd: 128, n_head: 4, n_positions: 128, vocab_size: vocab.size, bos_token_id: vocab.encode([EOS])[0]!, eos_token_id: vocab.encode([EOS])[0]! })
    console.log(`model: GPT-2 with 4 layers of 128 over the data's ${vocab.size} BPE tokens (renumbered), ${(GPT2.random(config, 0).numParameters / 1e6).toFixed(2)}M parameters`)
    makeModel = async (seed) => GPT2.random(config, seed)
  }
  const source = (name: string): ExampleSource => (vocab ? vocab.wrap(stores[name]!) : stores[name]!)
  const eos = vocab ? vocab.encode([EOS])[0]! : EOS

  async function train(name: string, trainStore: string, validStore: string, seed: number): Promise<GPT2> {
    const model = await makeModel(seed)
    let last = ''
    const trainer = new Trainer(model, {
      train: source(trainStore),
      valid: source(validStore),
      optimizer: 'adamw',
      learningRate: args.model ? 5e-5 : 3e-3,
      schedule: 'linear',
      warmupSteps: Math.max(1, Math.round(steps / 15)),
      totalSteps: steps,
      batchSize: 16,
      evaluateEvery: Math.max(1, Math.round(steps / 5)),
      outputDir: join(out, name),
      callbacks: {
        onStep: (e: StepEvent) => {
          if (e.step % 25 === 0 || e.step === steps) {
            last = `  ${name}: step ${String(e.step).padStart(4)}/${steps}  loss ${e.loss.toFixed(3)}  ${Math.round(e.tokensPerSecond)} tok/s`
            console.log(last)
          }
        },
        onEvaluate: (e) => console.log(`  ${name}: validation at step ${e.step}: loss ${e.loss.toFixed(3)}, ppl ${e.ppl.toFixed(1)}${e.improved ? ' (best)' : ''}`),
      },
    })
    const result = await trainer.fit({ steps })
    trainer.dispose()
    model.dispose()
    // decode with the weights of the best validation loss (the paper trains "until there is no progress in validation loss")
    const best = join(out, name, 'best')
    console.log(`  ${name}: done at step ${result.step}; best validation loss ${result.bestValidLoss?.toFixed(3)} → ${best}`)
    return loadGPT2(best)
  }
  const forward = await train('forward', 'train', 'valid', 1)
  const backward = await train('backward', 'train-reverse', 'valid-reverse', 2)

  // 3. decode --------------------------------------------------------------------------------------
  section('3. answer held-out prompts')
  const decoders: [string, (context: string[]) => GenerationConfig][] = [
    ['greedy', () => ({})],
    ['beam (10)', () => ({ numBeams: 10 })],
    ['top-K (10)', () => ({ doSample: true, topK: 10, seed: 7 })],
    ['MMI (16 top-K)', (context) => ({ seed: 7, mmi: { backward: causalLM(backward), numSamples: 16, topK: 10, sourceIds: toModel(tokenizer.encodeTurns([...context].reverse()).slice(0, -1)) } })],
  ]
  function toModel(ids: number[]): number[] {
    return vocab ? vocab.encode(ids) : ids
  }
  const replies: Record<string, string[]> = {}
  for (const [name, config] of decoders) {
    replies[name] = []
    for (const t of tests) {
      const prompt = toModel(tokenizer.encodeTurns(t.context))
      const best = (await generate(causalLM(forward), [prompt], { maxNewTokens: 25, eosTokenId: eos, padTokenId: eos, ...config(t.context) }))[0]![0]!
      const ids = (vocab ? vocab.decode(best.ids) : best.ids).filter((id) => id !== EOS)
      replies[name].push(tokenizer.decode(ids).trim())
    }
  }
  for (const [k, t] of tests.slice(0, 4).entries()) {
    console.log(`\n  context:   ${t.context.join(' | ')}`)
    console.log(`  reference: ${t.references[0]}`)
    for (const [name] of decoders) console.log(`  ${name.padEnd(15)}${replies[name]![k]}`)
  }

  // 4. evaluate ------------------------------------------------------------------------------------
  section('4. DSTC-7 metrics on the held-out prompts')
  const { resources, from } = await findMeteorResources(args['meteor-data'])
  console.log(`METEOR data: ${from}`)
  const width = Math.max(...tests.map((t) => t.references.length))
  const references = Array.from({ length: width }, (_, r) => tests.map((t) => t.references[r % t.references.length]!))
  const pct = (x: number) => (Number.isNaN(x) ? '   n/a' : `${(100 * x).toFixed(2)}%`.padStart(7))
  console.log(`\n  ${'decoder'.padEnd(15)} NIST-2 NIST-4  BLEU-2  BLEU-4  METEOR  Ent-4  Dist-1  Dist-2  Len`)
  const rows: [string, DstcEvaluation][] = []
  for (const [name] of decoders) rows.push([name, dstcEvaluate({ hypotheses: replies[name]!, references, clean: true, meteor: resources ? { resources } : false })])
  for (const [name, r] of rows) {
    console.log(`  ${name.padEnd(15)} ${formatMteval(r.nist[1]).padStart(6)} ${formatMteval(r.nist[3]).padStart(6)} ${pct(r.bleu[1])} ${pct(r.bleu[3])} ${pct(r.meteor)} ${r.entropy[3].toFixed(2).padStart(6)} ${pct(r.dist[0])} ${pct(r.dist[1])} ${r.avgLen.toFixed(1).padStart(4)}`)
  }
  console.log(`
  What these numbers can and cannot say: the models are tiny (about a million parameters) and were
  trained for a few minutes on a few hundred template sentences written for this demo, and no
  held-out reference appears in their training data. The table shows that the whole pipeline runs
  and how the metrics respond to different decoders (beam search repeats safe phrases, sampling
  is more varied, MMI reranks towards replies that predict the context); it says nothing about
  DialoGPT's quality, and the absolute values are not comparable with the paper's Table 2.`)
  console.log(`\nThe run's files are in ${out} (token stores, checkpoints and train-log.jsonl). The demo's models use a`)
  console.log('renumbered vocabulary of the sample\'s own tokens, so they are for this demo only: `dialogpt generate` needs GPT-2\'s.')
  console.log(`Done in ${elapsed()}.`)
  forward.dispose()
  backward.dispose()
  for (const s of Object.values(stores)) await s.close()
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
