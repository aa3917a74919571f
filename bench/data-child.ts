// Child process of the data benchmark: one read pass (read → rules → threads → sessions → filters)
// over a file in a fresh process, so its peak memory is not the high-water mark of the benchmark's
// earlier work. Prints JSON on the last line. Run by data.bench.ts.
import { prepareSessions } from '@dialogpt/data/node'
import { peakRssSampler } from './lib'

const [file, tmpDir, maxInMemory] = process.argv.slice(2)
const stop = peakRssSampler()
let kept = 0
for await (const s of prepareSessions({ inputs: [file!], grouping: { tmpDir: tmpDir!, maxInMemory: Number(maxInMemory) } })) void (s && kept++)
const sampled = stop()
// The kernel's high-water mark catches spikes between samples.
console.log(JSON.stringify({ kept, sampledPeakRss: sampled, maxRss: process.resourceUsage().maxRSS * 1024 }))
