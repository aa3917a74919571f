// Test helpers: comparing tensors with golden.json's selected elements and per-element tolerances.
import type * as tf from '@tensorflow/tfjs-core'
import type { GPT2 } from '../model/gpt2'

/* eslint-disable @typescript-eslint/no-explicit-any -- nested fixture arrays of any depth */

/** The elements golden.json lists: `sel[k]` picks indices along axis k; `null` keeps everything. */
export function selectGolden(arr: any, sel: number[][] | null): any {
  if (!sel) return arr
  const [first, ...rest] = sel
  return first!.map((i) => selectGolden(arr[i], rest.length ? rest : null))
}

/** The first (up to five) elements where `|ours - theirs| > atol`, as readable paths; `[]` when all agree. */
export function beyondTolerance(ours: any, theirs: any, atol: any, path = ''): string[] {
  if (typeof theirs === 'number') {
    const tol = typeof atol === 'number' ? atol : 0
    return Math.abs(ours - theirs) <= tol ? [] : [`${path}: ${ours} vs ${theirs} (atol ${tol})`]
  }
  return (theirs as unknown[]).flatMap((t, i) => beyondTolerance(ours[i], t, Array.isArray(atol) ? atol[i] : atol, `${path}[${i}]`)).slice(0, 5)
}

/** Looks up a gradient (keyed by variable name, as `tf.variableGrads` returns them) by golden.json's parameter name. */
export function gradientByGoldenName(model: GPT2, grads: tf.NamedTensorMap): (goldenName: string) => tf.Tensor {
  const byVarName = new Map([...model.parameters()].map(([name, v]) => [v.name, name]))
  const gradOf = new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g]))
  return (goldenName) => {
    const full = `transformer.${goldenName.replace(/^transformer\./, '')}`
    const g = gradOf.get(full)
    if (!g) throw new Error(`no gradient for golden parameter ${goldenName} (${full})`)
    return g
  }
}
