import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { beyondTolerance, gradientByGoldenName, selectGolden } from '../testing/golden-compare'
import { loadTiny, tinyGolden, useBackend } from '../testing/tiny'
import { disposeCache, type GPT2 } from './gpt2'

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

for (const backend of ['cpu', 'wasm']) describeShared(`GPT2 on ${backend} against the independent gpt2-tiny reference (llm.c, float64 cross-checked)`, ['fixtures', 'gpt2-tiny', 'golden.json'], () => {
  let model: GPT2
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let golden: any
  beforeAll(async () => {
    await useBackend(backend)
    model = loadTiny()
    golden = tinyGolden()
  })
  afterAll(() => model?.dispose())

  it('reproduces the logits at every position within 1e-4', () => {
    const { input_ids } = golden.batch
    const { logits, cache } = model.forward(input_ids)
    disposeCache(cache)
    const all = logits.arraySync() as number[][][]
    logits.dispose()
    const probe: number[] = golden.forward.probe_vocab_ids
    let worst = 0
    all.forEach((row, b) =>
      row.forEach((pos, t) => {
        worst = Math.max(worst, maxAbsDiff(probe.map((v) => pos[v]!), golden.forward.logits_probe[b][t]))
        expect(pos.indexOf(Math.max(...pos))).toBe(golden.forward.argmax_per_position[b][t])
      }),
    )
    all.forEach((row, b) => (worst = Math.max(worst, maxAbsDiff(row[row.length - 1]!, golden.forward.logits_last_position[b]))))
    expect(worst).toBeLessThan(1e-4)
  })

  it('reproduces the loss within 1e-5 (Hugging Face semantics: labels = inputs, shifted inside)', () => {
    const tokens = golden.batch.tokens
    const loss = model.loss(tokens, tokens)
    expect(Math.abs(loss.dataSync()[0]! - golden.forward.loss_mean)).toBeLessThan(1e-5)
    loss.dispose()
    // -100 labels are ignored: masking a position changes the mean to the mean over the rest.
    const masked = tokens.map((r: number[]) => r.map((v: number, t: number) => (t === 5 ? -100 : v)))
    const perPos: number[][] = golden.forward.loss_per_position
    const expected = perPos.flatMap((r) => r.filter((_, t) => t !== 4))
    const l2 = model.loss(tokens, masked)
    expect(Math.abs(l2.dataSync()[0]! - expected.reduce((a, b) => a + b, 0) / expected.length)).toBeLessThan(1e-5)
    l2.dispose()
  })

  it('reproduces the gradients of the listed parameters (tf.variableGrads over model.loss)', () => {
    const tokens = golden.batch.tokens
    const params = model.parameters()
    const { value, grads } = tf.variableGrads(() => model.loss(tokens, tokens), [...params.values()])
    value.dispose()
    const gradOf = gradientByGoldenName(model, grads)
    for (const [name, spec] of Object.entries<{ shape: number[]; select: number[][] | null; values: unknown; atol: unknown }>(golden.grads.params)) {
      const g = gradOf(name)
      expect(g.shape, name).toEqual(spec.shape)
      const diffs = beyondTolerance(selectGolden(g.arraySync(), spec.select), spec.values, spec.atol)
      expect(diffs, `${name}: first elements beyond tolerance`).toEqual([])
    }
    for (const g of Object.values(grads)) g.dispose()
  })

  it('decodes greedily to the reference ids, with and without the cache, and the cached logits agree within 1e-5', () => {
    const prompt: number[] = golden.greedy.prompt_ids
    const expected: number[] = golden.greedy.generated_ids
    // Without cache: re-run the whole prefix each step.
    const ids = [...prompt]
    for (let i = 0; i < expected.length; i++) {
      const { logits, cache } = model.forward([ids], { lastOnly: true })
      disposeCache(cache)
      ids.push(argmax(logits.dataSync()))
      logits.dispose()
    }
    expect(ids.slice(prompt.length)).toEqual(expected)
    // With cache: one position per step, logits compared with the uncached run.
    let out = model.forward([prompt], { lastOnly: true })
    const cachedIds: number[] = []
    for (let i = 0; i < expected.length; i++) {
      const last = out.logits.dataSync()
      const next = argmax(last)
      cachedIds.push(next)
      const reference = model.forward([[...prompt, ...cachedIds.slice(0, i)]], { lastOnly: true })
      expect(maxAbsDiff(last, reference.logits.dataSync())).toBeLessThan(1e-5)
      reference.logits.dispose()
      disposeCache(reference.cache)
      const step = model.forward([[next]], { cache: out.cache })
      out.logits.dispose()
      disposeCache(out.cache)
      out = step
    }
    out.logits.dispose()
    disposeCache(out.cache)
    expect(cachedIds).toEqual(expected)
  })

  it('gives each row of a left-padded batch the logits of that row alone', () => {
    const a = [11, 222, 3333, 44, 50256, 5]
    const b = [7, 8, 9]
    const alone = (row: number[]) => {
      const { logits, cache } = model.forward([row])
      disposeCache(cache)
      const v = logits.arraySync()[0]!
      logits.dispose()
      return v
    }
    const pad = 50256
    const batch = [a, [pad, pad, pad, ...b]]
    const mask = [a.map(() => 1), [0, 0, 0, 1, 1, 1]]
    const { logits, cache } = model.forward(batch, { attentionMask: mask })
    const rows = logits.arraySync()
    const [la, lb] = [alone(a), alone(b)]
    la.forEach((pos, t) => expect(maxAbsDiff(rows[0]![t]!, pos)).toBeLessThan(1e-5))
    lb.forEach((pos, t) => expect(maxAbsDiff(rows[1]![t + 3]!, pos)).toBeLessThan(1e-5))
    // And continuing from the padded cache matches the unpadded continuation.
    const next = model.forward([[42], [42]], { cache, attentionMask: mask.map((m) => [...m, 1]) })
    const contB = model.forward([[...b, 42]])
    expect(maxAbsDiff(next.logits.arraySync()[1]![0]!, contB.logits.arraySync()[0]![3]!)).toBeLessThan(1e-5)
    for (const t of [logits, next.logits, contB.logits]) t.dispose()
    for (const c of [cache, next.cache, contB.cache]) disposeCache(c)
  })

  it('leaks no tensor over 200 cached forward calls', () => {
    const start = tf.memory().numTensors
    let state = model.forward([[1, 2, 3]], { lastOnly: true })
    for (let i = 0; i < 200; i++) {
      if (state.cache.length >= model.config.n_positions) {
        state.logits.dispose()
        disposeCache(state.cache)
        state = model.forward([[1, 2, 3]], { lastOnly: true })
      }
      const next = model.forward([[i % 100]], { cache: state.cache })
      state.logits.dispose()
      disposeCache(state.cache)
      state = next
    }
    state.logits.dispose()
    disposeCache(state.cache)
    expect(tf.memory().numTensors).toBe(start)
  })
})

function argmax(v: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i
  return best
}
