import { CheckpointError } from '../checkpoint/errors'
import { PyDict, PyTuple, type TensorRef } from '../checkpoint/pickle'
import { PyFloat, TorchTensor, type PyValue } from '../checkpoint/pickle-writer'
import { tensorsFromPickle } from '../checkpoint/torch-tensors'
import { MemorySink, writeTorchZip } from '../checkpoint/torch-writer'
import { openTorchZip } from '../checkpoint/torch-zip'
import { parameterShapes, type GPT2Config } from '../model/config'

/** AdamW's hyper-parameters as PyTorch's `param_groups` hold them. */
export interface TorchAdamWHyper {
  lr: number
  betas: [number, number]
  eps: number
  weightDecay: number
  /** Which parameters decay: `'matrices'` (rank ≥ 2; the library's default) or `'all'`. */
  decay: 'matrices' | 'all'
}

/** AdamW's state in PyTorch's terms: one entry per parameter, in `model.parameters()` order. */
export interface TorchAdamWState {
  /** Optimiser steps taken (PyTorch keeps one per parameter; they are all equal here). */
  step: number
  /** By Hugging Face name, in PyTorch's parameter order. */
  params: { name: string; shape: number[]; expAvg: Float32Array; expAvgSq: Float32Array }[]
  hyper: TorchAdamWHyper
}

/**
 * The parameters of Hugging Face's `GPT2LMHeadModel` in the order `model.parameters()` yields them
 * (wte, wpe, each block's ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj weights and
 * biases, ln_f; `lm_head.weight` only when untied, since PyTorch lists a shared tensor once). An
 * optimizer's `state_dict()` numbers its state by this order.
 */
export function torchParameterOrder(config: GPT2Config): { name: string; shape: number[] }[] {
  return [...parameterShapes(config)].map(([name, shape]) => ({ name, shape }))
}

/**
 * PyTorch's grouping of the parameters: with `decay: 'matrices'`, group 0 holds the matrices (rank
 * ≥ 2, decayed) and group 1 the vectors (not); with `'all'`, one group. `members` are indices in
 * PyTorch's parameter order. `state_dict()` numbers the parameters group by group in this order
 * (group 0's first), and so do the files written here.
 */
export function torchParamGroups(order: { shape: number[] }[], hyper: Pick<TorchAdamWHyper, 'decay' | 'weightDecay'>): { weightDecay: number; members: number[] }[] {
  if (hyper.decay === 'all') return [{ weightDecay: hyper.weightDecay, members: order.map((_, i) => i) }]
  return [
    { weightDecay: hyper.weightDecay, members: order.flatMap((p, i) => (p.shape.length >= 2 ? [i] : [])) },
    { weightDecay: 0, members: order.flatMap((p, i) => (p.shape.length < 2 ? [i] : [])) },
  ]
}

/**
 * The bytes of a `torch.save`d AdamW `state_dict()` (PyTorch ≥ 1.6 zip format), written by our
 * own torch writer: `{'state': {i: {'step': tensor(step), 'exp_avg': …, 'exp_avg_sq': …}},
 * 'param_groups': [{'lr', 'betas', 'eps', 'weight_decay', 'amsgrad': False, 'maximize': False,
 * 'foreach': None, 'capturable': False, 'differentiable': False, 'fused': None, 'params': [i, …]}]}`,
 * the layout `torch.optim.AdamW.load_state_dict` accepts, with the parameters numbered group by
 * group as `state_dict()` numbers them (see {@link torchParamGroups}).
 */
export async function torchAdamWStateDictBytes(state: TorchAdamWState): Promise<Uint8Array> {
  const groups = torchParamGroups(state.params, state.hyper)
  // Numbered group by group, as state_dict() numbers them.
  const perParam = new PyDict()
  let id = 0
  const groupValues: PyValue[] = groups.map((g) => {
    const ids: number[] = []
    for (const member of g.members) {
      const p = state.params[member]!
      const entry = new PyDict()
      entry.entries.set('step', TorchTensor.contiguous('float32', [], new Uint8Array(Float32Array.of(state.step).buffer)))
      entry.entries.set('exp_avg', TorchTensor.contiguous('float32', p.shape, new Uint8Array(p.expAvg.buffer, p.expAvg.byteOffset, p.expAvg.byteLength)))
      entry.entries.set('exp_avg_sq', TorchTensor.contiguous('float32', p.shape, new Uint8Array(p.expAvgSq.buffer, p.expAvgSq.byteOffset, p.expAvgSq.byteLength)))
      perParam.entries.set(id, entry)
      ids.push(id++)
    }
    const d = new PyDict()
    const set = (k: string, v: PyValue) => d.entries.set(k, v)
    set('lr', new PyFloat(state.hyper.lr))
    set('betas', new PyTuple([new PyFloat(state.hyper.betas[0]), new PyFloat(state.hyper.betas[1])]) as unknown as PyValue)
    set('eps', new PyFloat(state.hyper.eps))
    set('weight_decay', new PyFloat(g.weightDecay))
    set('amsgrad', false)
    set('maximize', false)
    set('foreach', null)
    set('capturable', false)
    set('differentiable', false)
    set('fused', null)
    set('params', ids)
    return d
  })
  const top = new PyDict()
  top.entries.set('state', perParam)
  top.entries.set('param_groups', groupValues)
  const sink = new MemorySink()
  await writeTorchZip(top, sink, { archive: 'optimizer' })
  return sink.bytes()
}

const describe = (v: unknown) => (v === null ? 'None' : v instanceof PyDict ? 'a dict' : Array.isArray(v) ? 'a list' : typeof v)

/**
 * Reads a `torch.save`d AdamW `state_dict()` (zip format) with the restricted unpickler (no code
 * runs; only tensors, dicts, lists, tuples, numbers, strings, booleans and None), and names each
 * state entry by PyTorch's parameter order of `config`. Every entry must be there with the
 * parameter's shape, and every step equal; anything else is a `CheckpointError` naming the entry.
 */
export function readTorchAdamWState(bytes: Uint8Array, config: GPT2Config, file = 'optimizer.pt'): TorchAdamWState {
  let opened: ReturnType<typeof openTorchZip>
  try {
    opened = openTorchZip(bytes)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(file) : error
  }
  const { source, value: top, locate } = opened
  const get = (d: unknown, key: unknown, where: string): unknown => {
    if (!(d instanceof PyDict)) throw new CheckpointError('not-a-state-dict', `${file}: ${where} is ${describe(d)}, not a dict`, { file })
    if (!d.entries.has(key)) throw new CheckpointError('missing-record', `${file}: ${where} has no '${String(key)}'`, { file })
    return d.entries.get(key)
  }
  const stateDict = get(top, 'state', 'the top level')
  const groups = get(top, 'param_groups', 'the top level')
  if (!Array.isArray(groups) || groups.length === 0) throw new CheckpointError('not-a-state-dict', `${file}: param_groups is ${describe(groups)}, not a list of groups`, { file })
  const order = torchParameterOrder(config)
  if (groups.length > 2) throw new CheckpointError('unsupported', `${file}: ${groups.length} param groups; the library's AdamW has one (decay: 'all') or two (decay: 'matrices')`, { file })
  const expected = torchParamGroups(order, { decay: groups.length === 1 ? 'all' : 'matrices', weightDecay: 0 })
  // Which parameter each state id is: the ids of group g, in order, are that group's members.
  const memberOf = new Map<number, number>()
  groups.forEach((g, k) => {
    const ids = get(g, 'params', `param_groups[${k}]`)
    const members = expected[k]!.members
    if (!Array.isArray(ids) || ids.length !== members.length || ids.some((x) => typeof x !== 'number'))
      throw new CheckpointError('size-mismatch', `${file}: param_groups[${k}] lists ${Array.isArray(ids) ? ids.length : describe(ids)} parameters, the model's group has ${members.length} (another model shape, or other groups)`, { file })
    ids.forEach((x, j) => memberOf.set(x as number, members[j]!))
  })
  const idOf = new Map([...memberOf].map(([id, member]) => [member, id]))
  // Flatten the tensors into one dict so that the state-dict reader checks every view against its storage.
  const flat = new PyDict()
  const steps: number[] = []
  order.forEach((p, i) => {
    const id = idOf.get(i)!
    const entry = get(stateDict, id, `state`)
    for (const key of ['exp_avg', 'exp_avg_sq']) flat.entries.set(`${i}.${key}`, get(entry, key, `state[${id}] (${p.name})`))
    const step = get(entry, 'step', `state[${id}] (${p.name})`)
    if (typeof step === 'number') steps.push(step)
    else if ((step as TensorRef)?.kind === 'tensor') flat.entries.set(`${i}.step`, step)
    else throw new CheckpointError('bad-tensor', `${file}: state[${id}].step is ${describe(step)}, not a number or a tensor`, { file, tensor: `${id}.step` })
  })
  const extra = [...(stateDict as PyDict).entries.keys()].filter((k) => typeof k !== 'number' || !memberOf.has(k))
  if (extra.length) throw new CheckpointError('size-mismatch', `${file}: state has entries ${extra.join(', ')} that no param group lists (another model shape?)`, { file })
  let tensors: ReturnType<typeof tensorsFromPickle>
  try {
    tensors = tensorsFromPickle(flat, source, locate)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(file) : error
  }
  const params = order.map((p, i) => {
    const read = (key: string) => {
      const t = tensors.get(`${i}.${key}`)!
      if (t.shape.join() !== p.shape.join()) throw new CheckpointError('size-mismatch', `${file}: state[${idOf.get(i)}].${key} (${p.name}) is [${t.shape}] but the parameter is [${p.shape}]`, { file, tensor: p.name })
      return Float32Array.from(t.data as ArrayLike<number>)
    }
    const stepTensor = tensors.get(`${i}.step`)
    if (stepTensor) steps.push(Number((stepTensor.data as ArrayLike<number>)[0]))
    return { name: p.name, shape: p.shape, expAvg: read('exp_avg'), expAvgSq: read('exp_avg_sq') }
  })
  if (steps.some((s) => s !== steps[0] || !Number.isSafeInteger(s) || s < 0)) throw new CheckpointError('bad-tensor', `${file}: the parameters' steps differ or are not counts (${[...new Set(steps)].slice(0, 5).join(', ')})`, { file })
  const group0 = groups[0]
  const num = (key: string) => {
    const v = get(group0, key, 'param_groups[0]')
    const x = v instanceof PyFloat ? v.value : v
    if (typeof x !== 'number') throw new CheckpointError('bad-tensor', `${file}: param_groups[0].${key} is ${describe(x)}, not a number`, { file })
    return x
  }
  const betas = get(group0, 'betas', 'param_groups[0]')
  const betaItems = betas instanceof PyTuple ? betas.items : Array.isArray(betas) ? betas : []
  if (betaItems.length !== 2 || betaItems.some((b) => typeof b !== 'number')) throw new CheckpointError('bad-tensor', `${file}: param_groups[0].betas is not a pair of numbers`, { file })
  const decayOf = (g: unknown) => {
    const v = get(g, 'weight_decay', 'a param group')
    return typeof v === 'number' ? v : 0
  }
  const decay: TorchAdamWHyper['decay'] = groups.length === 1 ? 'all' : 'matrices'
  return {
    step: steps[0]!,
    params,
    hyper: { lr: num('lr'), betas: [betaItems[0] as number, betaItems[1] as number], eps: num('eps'), weightDecay: Math.max(...groups.map(decayOf)), decay },
  }
}
