// `pnpm demo`: the offline end-to-end demo. Until the model, data and training packages land it
// runs what exists end to end: the DSTC-7 evaluation of two example systems.
import { evaluateExamples } from './evaluate'

console.log('@dialogpt demo — DSTC-7 evaluation of two example systems (examples/metrics)\n')
await evaluateExamples()
