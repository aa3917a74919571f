// The web chat demo: loads a model from a URL (with download progress and the browser cache),
// shows the backend, streams the reply token by token, stops on request, and fine-tunes the
// loaded model on a few pasted dialogues with the library's Trainer.
// Query parameters: ?model=URL&backend=webgpu|webgl|wasm&dtype=fp32|f16|q8&max=N prefill the form. The chat keeps
// its history and cuts it by whole turns to fit the model; greedy, sampling or beam search.
import { loadWebModel, selectWebBackend, type WebProgress } from '@dialogpt/backend-web'
import { Trainer, type DialoGPT } from '@dialogpt/core'
import { turnsToFeatures } from '@dialogpt/data'
import { generate, stream, type GenerationConfig } from '@dialogpt/decode'
import { wasmFiles } from './wasm-files'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const params = new URLSearchParams(location.search)
const modelInput = $<HTMLInputElement>('model')
const backendChoice = $<HTMLSelectElement>('backend-choice')
modelInput.value = params.get('model') ?? ''
const dtypeChoice = $<HTMLSelectElement>('dtype')
dtypeChoice.value = params.get('dtype') ?? ''
backendChoice.value = params.get('backend') ?? ''
const maxNewTokens = Number(params.get('max') ?? 24)

/** What the page did, for people and for the browser tests. */
const state = {
  status: 'idle',
  backend: '',
  /** How the loaded model holds its matrices (fp32, f16, q8). */
  dtype: '',
  loadedFromCache: false,
  lastIds: [] as number[],
  lastText: '',
  /** The next-token logits after the last prompt (for comparing backends). */
  promptLogits: [] as number[],
  /** Training loss per step of the last fine-tuning run. */
  trainLosses: [] as number[],
  history: [] as string[],
  /** How many turns the last prompt held (older ones were cut to fit the model). */
  promptTurns: 0,
}
/** The conversation as token ids, user and bot turns alternating. */
const turns: number[][] = []
;(window as unknown as { dialogptDemo: typeof state }).dialogptDemo = state

const setStatus = (s: string) => {
  state.status = s
  $('status').textContent = s
}

let bot: DialoGPT | null = null
let controller: AbortController | null = null

$('load').addEventListener('click', async () => {
  try {
    setStatus('choosing a backend')
    const report = await selectWebBackend({
      prefer: (backendChoice.value || undefined) as 'webgpu' | 'webgl' | 'wasm' | undefined,
      wasmPaths: wasmFiles,
    })
    state.backend = report.chosen
    $('backend').textContent = `backend: ${report.chosen} — ${report.candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`
    setStatus('loading the model')
    const cached: boolean[] = []
    bot = await loadWebModel(modelInput.value, {
      dtype: (dtypeChoice.value || undefined) as 'fp32' | 'f16' | 'q8' | undefined,
      onProgress: (p: WebProgress) => {
        cached.push(p.cached)
        const progress = $<HTMLProgressElement>('progress')
        progress.max = p.total ?? p.loaded
        progress.value = p.loaded
        setStatus(`${p.cached ? 'from cache' : 'downloading'} ${p.file}: ${(p.loaded / 2 ** 20).toFixed(1)} MiB${p.total ? ` of ${(p.total / 2 ** 20).toFixed(1)} MiB` : ''}`)
      },
    })
    state.loadedFromCache = cached.length > 0 && cached.every(Boolean)
    state.dtype = bot.model.dtype
    setStatus(`ready${state.loadedFromCache ? ' (loaded from the browser cache)' : ''}`)
    $<HTMLButtonElement>('send').disabled = false
    $<HTMLButtonElement>('train').disabled = false
  } catch (error) {
    setStatus(`error: ${(error as Error).message}`)
  }
})

$('train').addEventListener('click', async () => {
  if (!bot) return
  const dialogues = $<HTMLTextAreaElement>('dialogues')
    .value.split('\n')
    .map((line) => line.split('|').map((t) => t.trim()).filter(Boolean))
    .filter((turns) => turns.length >= 2)
  const examples = dialogues.flatMap((turns) => turnsToFeatures(turns.map((text) => ({ text, weight: 1 })), { maxLength: bot!.model.config.n_positions, encode: (t) => bot!.tokenizer.encode(t) }))
  if (examples.length === 0) return setStatus('error: no dialogue with two turns or more')
  controller = new AbortController()
  $<HTMLButtonElement>('stop').disabled = false
  $<HTMLButtonElement>('train').disabled = true
  state.trainLosses = []
  setStatus('training')
  const steps = Number($<HTMLInputElement>('steps').value)
  const trainer = new Trainer(bot.model, {
    train: examples,
    learningRate: 1e-3,
    schedule: 'constant',
    batchSize: 4,
    callbacks: {
      onStep: async (e) => {
        state.trainLosses.push(e.loss)
        $('train-log').textContent = `step ${e.step}/${steps}: loss ${e.loss.toFixed(3)} (${Math.round(e.tokensPerSecond)} tokens/s)`
        await new Promise((resolve) => setTimeout(resolve, 0)) // paint, and let Stop through
      },
    },
  })
  try {
    const result = await trainer.fit({ steps, signal: controller.signal })
    setStatus(result.reason === 'aborted' ? `training stopped at step ${result.step}` : `trained ${result.step} steps`)
  } catch (error) {
    setStatus(`error: ${(error as Error).message}`)
  } finally {
    trainer.dispose()
    $<HTMLButtonElement>('stop').disabled = true
    $<HTMLButtonElement>('train').disabled = false
  }
})

/** The decoding settings the form asks for. */
function decodingConfig(): GenerationConfig {
  const mode = $<HTMLSelectElement>('decoding').value
  const number = (id: string) => Number($<HTMLInputElement>(id).value)
  if (mode === 'beam') return { maxNewTokens, numBeams: number('beams') }
  if (mode === 'sample') return { maxNewTokens, doSample: true, topK: number('top-k'), topP: number('top-p'), temperature: number('temperature') }
  return { maxNewTokens }
}

$('send').addEventListener('click', async () => {
  if (!bot) return
  const text = $<HTMLInputElement>('prompt').value
  const line = document.createElement('div')
  line.innerHTML = `<span class="user"></span><br><span class="bot"></span>`
  line.querySelector('.user')!.textContent = `you: ${text}`
  const out = line.querySelector('.bot')!
  $('log').append(line)
  controller = new AbortController()
  $<HTMLButtonElement>('stop').disabled = false
  $<HTMLButtonElement>('send').disabled = true
  state.lastIds = []
  state.lastText = ''
  const eos = bot.tokenizer.eosTokenId
  const userIds = bot.tokenizer.encode(text)
  try {
    const config = decodingConfig()
    // The history is cut by whole turns to fit the model's positions, as ChatSession does: a long chat never fails.
    const { ids: prompt, turns: held } = bot.promptFor([...turns, userIds], config.maxNewTokens!, 'keep-end')
    state.promptTurns = held
    const { logits, cache } = bot.model.forward([prompt], { lastOnly: true })
    state.promptLogits = Array.from(await logits.data())
    logits.dispose()
    for (const layer of cache.layers) {
      layer.key.dispose()
      layer.value.dispose()
    }
    setStatus('generating')
    const show = () => {
      state.lastText = bot!.tokenizer.decode(state.lastIds.filter((t) => t !== eos))
      out.textContent = `bot: ${state.lastText}`
    }
    if ((config.numBeams ?? 1) > 1) {
      // Beam search knows its answer at the end.
      state.lastIds = (await generate(bot.lm, prompt, { ...config, signal: controller.signal }))[0]![0]!.ids
      show()
    } else {
      for await (const id of stream(bot.lm, prompt, { ...config, signal: controller.signal })) {
        state.lastIds.push(id)
        show()
        await new Promise((resolve) => setTimeout(resolve, 0)) // let the page paint and the stop button work
      }
    }
    setStatus('done')
  } catch (error) {
    setStatus((error as Error).name === 'AbortError' ? 'stopped' : `error: ${(error as Error).message}`)
    if ((error as Error).name !== 'AbortError') out.textContent = `(error: ${(error as Error).message})`
  } finally {
    // The turn joins the history with what was shown; whatever happened, the page takes the next message.
    turns.push(userIds, state.lastIds.filter((t) => t !== eos))
    state.history.push(text, state.lastText)
    $<HTMLButtonElement>('stop').disabled = true
    $<HTMLButtonElement>('send').disabled = false
  }
})

$('stop').addEventListener('click', () => controller?.abort())
