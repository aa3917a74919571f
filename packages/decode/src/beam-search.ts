import type { CausalLM } from './causal-lm'
import type { ResolvedConfig } from './config'
import { checkpointStep, deadline, throwIfAborted } from './control'
import { logSoftmax, processScores } from './processors/pipeline'
import type { GeneratedSequence } from './result'

const NEG = -1e9

/**
 * Beam search with Hugging Face's current (v4.50+) rules, for one prompt: each step takes the
 * K = max(2, 1 + #eos) · numBeams best continuations of log-softmax + processors + running sum;
 * a candidate ranked below numBeams that ends in eos (or reaches max length) competes for the
 * finished slots with score sum / generatedLength^lengthPenalty; the next running beams are the
 * best candidates that did not finish. `earlyStopping` true stops when numBeams hypotheses are
 * finished, false uses the current length in the "can a running beam still win" bound, and
 * 'never' the maximum length. Returns the best `numReturnSequences` finished hypotheses.
 */
export async function beamSearch(model: CausalLM, prompt: readonly number[], c: ResolvedConfig): Promise<GeneratedSequence[]> {
  const nb = c.numBeams
  const V = model.vocabSize
  const P = prompt.length
  const maxLength = P + c.maxNewTokens
  if (maxLength > model.maxPositions) throw new RangeError(`prompt (${P}) + maxNewTokens (${c.maxNewTokens}) exceeds the model's ${model.maxPositions} positions`)
  const K = Math.max(2, 1 + c.eosTokenIds.length) * nb
  const lp = c.lengthPenalty
  const es = c.earlyStopping
  const outOfTime = deadline(c.maxTime)

  let running: number[][] = Array.from({ length: nb }, () => prompt.slice())
  let runScore: number[] = Array.from({ length: nb }, (_, b) => (b === 0 ? 0 : NEG))
  let fin: { seq: number[]; score: number; done: boolean; by: GeneratedSequence['finishedBy'] }[] = Array.from({ length: nb }, () => ({ seq: [], score: NEG, done: false, by: 'max_length' as const }))
  let canImprove = true
  let cache: unknown
  // The first step reads the prompt once; every beam starts from that one row.
  let out = model.step([prompt.slice()], undefined, [prompt.map(() => 1)])
  let rowOf = (_b: number) => 0
  try {
    for (let cur = P; ; ) {
      cache = out.cache
      const logitsTensor = out.logits
      let logits: Float32Array
      try {
        await checkpointStep(c.signal)
        logits = (await logitsTensor.data()) as Float32Array
      } finally {
        logitsTensor.dispose()
      }
      throwIfAborted(c.signal)
      // Candidates: the K best of (processed log-probs + running score) over every beam and token.
      const top: { value: number; beam: number; token: number }[] = []
      for (let b = 0; b < nb; b++) {
        const r = rowOf(b)
        const scores = logSoftmax(logits.subarray(r * V, (r + 1) * V))
        processScores(scores, running[b]!, cur - P, c, false)
        const base = runScore[b]!
        for (let t = 0; t < V; t++) {
          const v = scores[t]! + base
          if (top.length === K && !(v > top[K - 1]!.value)) continue
          let i = top.length === K ? K - 1 : top.length
          if (top.length < K) top.push({ value: v, beam: b, token: t })
          while (i > 0 && top[i - 1]!.value < v) {
            top[i] = top[i - 1]!
            i--
          }
          top[i] = { value: v, beam: b, token: t }
        }
      }
      const hit = top.map((cand) => c.eosTokenIds.includes(cand.token) || cur + 1 >= maxLength)
      // Next running beams: the best candidates after pushing finished ones down.
      const order = top.map((cand, i) => ({ i, masked: cand.value + (hit[i] ? NEG : 0) })).sort((a, b) => b.masked - a.masked || a.i - b.i)
      const chosen = order.slice(0, nb)
      // Finished slots: only candidates ranked < numBeams that hit a stop may enter.
      const allDone = fin.every((f) => f.done)
      const entries = top.map((cand, i) => {
        let norm = cand.value / Math.pow(cur + 1 - P, lp)
        if (allDone && es === true) norm += NEG
        if (!canImprove) norm += NEG
        const eligible = hit[i]! && i < nb
        if (!eligible) norm += NEG
        return { seq: [...running[cand.beam]!, cand.token], score: norm, done: eligible, by: (c.eosTokenIds.includes(cand.token) ? 'eos' : 'max_length') as GeneratedSequence['finishedBy'] }
      })
      fin = [...fin, ...entries].map((e, k) => ({ e, k })).sort((a, b) => b.e.score - a.e.score || a.k - b.k).slice(0, nb).map(({ e }) => e)

      const parents = chosen.map((o) => top[o.i]!.beam)
      running = chosen.map((o) => [...running[top[o.i]!.beam]!, top[o.i]!.token])
      runScore = chosen.map((o) => o.masked)
      cur += 1
      const bestLen = es === 'never' && lp > 0 ? maxLength - P : cur - P
      const bestPossible = runScore[0]! / Math.pow(bestLen, lp)
      const worst = fin.every((f) => f.done) ? Math.min(...fin.map((f) => f.score)) : NEG
      canImprove = canImprove && bestPossible > worst
      if (!canImprove || (fin.every((f) => f.done) && es === true) || cur >= maxLength || hit.every(Boolean)) break
      if (outOfTime()) {
        // Out of time: the running beams compete as they are.
        fin = [...fin, ...running.map((seq, b) => ({ seq, score: runScore[b]! / Math.pow(cur - P, lp), done: true, by: 'max_time' as const }))]
          .sort((a, b) => b.score - a.score)
          .slice(0, nb)
        break
      }
      // Advance the chosen beams by one token.
      const reordered = model.reorderCache(cache, parents.map(rowOf))
      model.disposeCache(cache)
      cache = reordered
      out = model.step(
        running.map((s) => [s[s.length - 1]!]),
        cache,
        running.map((s) => s.map(() => 1)),
      )
      model.disposeCache(cache)
      cache = undefined
      rowOf = (b: number) => b
    }
  } finally {
    if (cache !== undefined) model.disposeCache(cache)
  }
  return fin.slice(0, c.numReturnSequences).map((f) => ({ ids: f.seq.slice(P), score: f.score, finishedBy: f.by }))
}
