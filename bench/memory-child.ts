// Child process of the memory benchmark: loads the 124M model from a local folder on wasm, chats a
// few turns and prints its resident memory (JSON on the last line). Run by memory.bench.ts.
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { DialoGPT, loadGPT2 } from '@dialogpt/core'
import '@dialogpt/core/node'
import { registerWasmKernels } from '@dialogpt/core/wasm-kernels'
import { wasmHeapBytes } from './model-shapes'

const [folder, headCache] = process.argv.slice(2)
const rss = () => process.memoryUsage().rss
const gc = (globalThis as { gc?: () => void }).gc
await tf.setBackend('wasm')
await tf.ready()
const atStart = rss()
registerWasmKernels({ headCache: headCache !== 'off' })
const model = await loadGPT2(folder!)
// The file's bytes are garbage now; collect them (twice, with a pause, so V8 releases the external memory).
gc?.()
await new Promise((resolve) => setTimeout(resolve, 200))
gc?.()
const afterLoad = rss()
const heapAfterLoad = wasmHeapBytes()
let peak = 0
const timer = setInterval(() => (peak = Math.max(peak, rss())), 10)
const bot = new DialoGPT(model)
const session = bot.chat({ generation: { maxNewTokens: 20, seed: 1 } })
const perTurn: number[] = []
for (const text of ['Hello, how are you today?', 'What are you doing this weekend?', 'That sounds fun. Can I come along?', 'Great, see you then!']) {
  await session.send(text)
  perTurn.push(rss())
}
clearInterval(timer)
peak = Math.max(peak, ...perTurn)
const heap = wasmHeapBytes()
const weightBytes = [...model.parameters().values()].reduce((s, v) => s + v.size * 4, 0)
console.log(JSON.stringify({ headCache: headCache !== 'off', weightBytes, atStart, afterLoad, peakWhileChatting: peak, afterEachTurn: perTurn, wasmHeapBytes: heap, wasmHeapAfterLoad: heapAfterLoad, maxRss: process.resourceUsage().maxRSS * 1024, forcedGcAfterLoad: gc !== undefined }))
bot.dispose()
