import { CheckpointError } from './errors'

/**
 * A restricted unpickler for PyTorch state dicts. It understands the opcodes `torch.save` writes
 * (protocol 2, and the protocol-4 framing/STACK_GLOBAL/MEMOIZE forms) and never imports, resolves
 * or calls anything: a `GLOBAL` only becomes an inert reference, and only an allowlist of
 * state-dict globals (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
 * `_rebuild_parameter` and the `torch.*Storage` classes) can ever be applied. Any other global
 * used as a callable, any class instance, unknown opcode, bad memo reference or oversized
 * length is a {@link CheckpointError} naming the problem and its byte offset.
 */

/** A global named by the pickle; inert unless it is on the allowlist. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`
  }
}

/** A Python dict or OrderedDict. */
export class PyDict {
  readonly entries = new Map<unknown, unknown>()
}

/** A tuple (kept apart from lists only for error messages). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A storage reference from a persistent id: `('storage', torch.XStorage, key, location, numel[, view])`. */
export interface StorageRef {
  kind: 'storage'
  storageType: string
  key: string
  location: string
  numel: number
}

/** A tensor as `_rebuild_tensor_v2` describes it. */
export interface TensorRef {
  kind: 'tensor'
  storage: StorageRef
  offset: number
  size: number[]
  stride: number[]
}

export const STORAGE_TYPES = ['FloatStorage', 'HalfStorage', 'BFloat16Storage', 'BoolStorage', 'ByteStorage', 'CharStorage', 'ShortStorage', 'IntStorage', 'LongStorage', 'DoubleStorage'] as const

const ALLOWED_CALLABLES = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_parameter'])
const isStorageClass = (g: PyGlobal) => g.module === 'torch' && (STORAGE_TYPES as readonly string[]).includes(g.name)


export interface UnpickleResult {
  value: unknown
  /** Offset just past the STOP opcode. */
  end: number
}

/**
 * Runs one pickle starting at `start` and returns its value. `persistentLoad` is called with the
 * tuple of each BINPERSID; it must validate it and return the object to use.
 */
export function unpickle(bytes: Uint8Array, start: number, persistentLoad: (pid: unknown, offset: number) => unknown): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const stack: unknown[] = []
  const marks: number[] = []
  const memo = new Map<number, unknown>()
  let pos = start

  const fail = (code: CheckpointError['code'], message: string, at = pos): never => {
    throw new CheckpointError(code, `${message} (pickle byte offset ${at})`, { offset: at })
  }
  const need = (n: number) => {
    if (pos + n > bytes.length) fail('truncated', `pickle data ends unexpectedly: ${n} more bytes needed`)
  }
  const u8 = () => (need(1), bytes[pos++]!)
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true))
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true))
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true))
  const u64 = () => {
    need(8)
    const v = view.getBigUint64(pos, true)
    pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('corrupt', `length ${v} is too large`)
    return Number(v)
  }
  const take = (n: number) => {
    if (n > bytes.length - pos) fail('truncated', `a string of ${n} bytes is longer than the ${bytes.length - pos} bytes left`)
    pos += n
    return bytes.subarray(pos - n, pos)
  }
  const utf8 = (b: Uint8Array) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b)
    } catch {
      return fail('corrupt', 'string is not valid UTF-8')
    }
  }
  const line = () => {
    const end = bytes.indexOf(0x0a, pos)
    if (end < 0) fail('truncated', 'pickle text argument has no end of line')
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end))
    pos = end + 1
    return s
  }
  const pop = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('corrupt', 'pickle stack underflow')
    return stack.pop()
  }
  const top = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('corrupt', 'pickle stack underflow')
    return stack[stack.length - 1]
  }
  const popMark = () => {
    const m = marks.pop()
    if (m === undefined) fail('corrupt', 'pickle MARK missing')
    return stack.splice(m!)
  }
  const long = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0
    // Building a BigInt byte by byte is quadratic; no state dict needs an integer this long.
    if (b.length > 64) fail('unsupported', `integer of ${b.length} bytes: longer than any a state dict holds`)
    let v = 0n
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length)
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  }
  const setItems = (target: unknown, items: unknown[], at: number) => {
    if (!(target instanceof PyDict)) fail('corrupt', 'SETITEM(S) on something that is not a dict', at)
    for (let i = 0; i + 1 < items.length; i += 2) (target as PyDict).entries.set(items[i], items[i + 1])
  }
  const global = (module: string, name: string) => new PyGlobal(module, name)
  const call = (fn: unknown, args: unknown, at: number): unknown => {
    if (!(fn instanceof PyGlobal)) return fail('unsupported', 'REDUCE on something that is not a global', at)
    if (!ALLOWED_CALLABLES.has(fn.qualified))
      return fail('disallowed-global', `refusing to call ${fn.qualified}: it is not allowed in a weights-only state dict`, at)
    const a = args instanceof PyTuple ? args.items : fail('corrupt', `arguments of ${fn.qualified} are not a tuple`, at)
    switch (fn.qualified) {
      case 'collections.OrderedDict':
        return new PyDict()
      case 'torch._utils._rebuild_parameter':
        return a[0]
      default:
        return rebuildTensor(a, at)
    }
  }
  const rebuildTensor = (a: unknown[], at: number): TensorRef => {
    const [storage, offset, size, stride] = a
    const ints = (x: unknown) => (x instanceof PyTuple && x.items.every((v) => typeof v === 'number' && Number.isSafeInteger(v)) ? (x.items as number[]) : undefined)
    const sz = ints(size)
    const st = ints(stride)
    if (!storage || (storage as StorageRef).kind !== 'storage') return fail('corrupt', 'tensor is not built on a storage', at)
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || !sz || !st || sz.length !== st.length)
      return fail('corrupt', 'tensor storage offset, size or stride is malformed', at)
    return { kind: 'tensor', storage: storage as StorageRef, offset, size: sz, stride: st }
  }

  for (;;) {
    const at = pos
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        u8()
        break
      case 0x95: // FRAME
        u64()
        break
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) fail('corrupt', 'pickle ends with a malformed stack', at)
        return { value: stack[0], end: pos }
      case 0x28: // MARK
        marks.push(stack.length)
        break
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict())
        break
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]))
        break
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()))
        break
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]))
        break
      case 0x86: {
        // TUPLE2
        const b = pop()
        stack.push(new PyTuple([pop(), b]))
        break
      }
      case 0x87: {
        // TUPLE3
        const c = pop()
        const b = pop()
        stack.push(new PyTuple([pop(), b, c]))
        break
      }
      case 0x6c: // LIST
        stack.push(popMark())
        break
      case 0x64: {
        // DICT
        const d = new PyDict()
        setItems(d, popMark(), at)
        stack.push(d)
        break
      }
      case 0x73: {
        // SETITEM
        const v = pop()
        const k = pop()
        setItems(top(), [k, v], at)
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(top(), items, at)
        break
      }
      case 0x61: {
        // APPEND
        const v = pop()
        const list = top()
        if (!Array.isArray(list)) fail('corrupt', 'APPEND to something that is not a list', at)
        ;(list as unknown[]).push(v)
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        const list = top()
        if (!Array.isArray(list)) fail('corrupt', 'APPENDS to something that is not a list', at)
        for (const v of items) (list as unknown[]).push(v)
        break
      }
      case 0x4a: // BININT
        stack.push(i32())
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x8a: // LONG1
        stack.push(long(take(u8())))
        break
      case 0x8b: {
        // LONG4
        const n = i32()
        if (n < 0) fail('corrupt', 'negative LONG4 length', at)
        stack.push(long(take(n)))
        break
      }
      case 0x47: // BINFLOAT
        need(8)
        stack.push(view.getFloat64(pos, false))
        pos += 8
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88: // NEWTRUE
        stack.push(true)
        break
      case 0x89: // NEWFALSE
        stack.push(false)
        break
      case 0x58: // BINUNICODE
        stack.push(utf8(take(u32())))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(take(u8())))
        break
      case 0x8d: // BINUNICODE8
        stack.push(utf8(take(u64())))
        break
      case 0x54: // BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(i32() >>> 0)))
        break
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u8())))
        break
      case 0x42: // BINBYTES
        stack.push(Uint8Array.from(take(u32())))
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(Uint8Array.from(take(u8())))
        break
      case 0x71: // BINPUT
        memo.set(u8(), top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const idx = op === 0x68 ? u8() : u32()
        if (!memo.has(idx)) fail('corrupt', `bad memo reference: slot ${idx} was never written`, at)
        stack.push(memo.get(idx))
        break
      }
      case 0x63: {
        // GLOBAL
        const module = line()
        stack.push(global(module, line()))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string') fail('corrupt', 'STACK_GLOBAL needs two strings', at)
        stack.push(global(module as string, name as string))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop()
        const fn = pop()
        stack.push(call(fn, args, at))
        break
      }
      case 0x62: {
        // BUILD: a dict's state (OrderedDict `_metadata`) is ignored; nothing else may be built.
        pop()
        const target = top()
        if (target instanceof PyGlobal) fail('not-a-state-dict', `the file pickles an instance of ${target.qualified}, not a state dict; save model.state_dict() instead`, at)
        if (!(target instanceof PyDict)) fail('unsupported', 'BUILD on something that is not a dict', at)
        break
      }
      case 0x81: // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        if (op === 0x92) pop()
        pop()
        const cls = pop()
        const what = cls instanceof PyGlobal ? cls.qualified : 'an object'
        fail('not-a-state-dict', `the file pickles a Python class instance (${what}), not a state dict; save model.state_dict() instead`, at)
        break
      }
      case 0x69: {
        // INST: resolves and calls module.name right away, so it must pass the allowlist here.
        const module = line()
        const name = line()
        fail('disallowed-global', `refusing INST of ${module}.${name}: it is not allowed in a weights-only state dict`, at)
        break
      }
      case 0x6f: {
        // OBJ
        const items = popMark()
        const cls = items[0]
        const what = cls instanceof PyGlobal ? cls.qualified : 'an object'
        fail(cls instanceof PyGlobal && !ALLOWED_CALLABLES.has(what) ? 'disallowed-global' : 'unsupported', `refusing OBJ of ${what}`, at)
        break
      }
      case 0x51: {
        // BINPERSID
        const pid = pop()
        stack.push(persistentLoad(pid, at))
        break
      }
      case 0x82:
      case 0x83:
      case 0x84:
        fail('unsupported', `unsupported pickle opcode EXT${op === 0x82 ? 1 : op === 0x83 ? 2 : 4} (0x${op.toString(16)})`, at)
        break
      default:
        fail('unsupported', `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`, at)
    }
  }
}

/**
 * The persistent-id handler torch checkpoints need: validates `('storage', torch.XStorage, key,
 * location, numel[, view_metadata])` and returns a {@link StorageRef}.
 */
export function storagePersistentId(pid: unknown, offset: number): StorageRef {
  const fail = (code: CheckpointError['code'], message: string): never => {
    throw new CheckpointError(code, `${message} (pickle byte offset ${offset})`, { offset })
  }
  if (!(pid instanceof PyTuple)) return fail('corrupt', 'persistent id is not a tuple')
  const [typename, storageType, key, location, numel, viewMetadata] = pid.items
  if (typename !== 'storage') return fail('unsupported', `unsupported persistent id type ${JSON.stringify(typename)}`)
  if (!(storageType instanceof PyGlobal)) return fail('corrupt', 'storage type is not a global')
  if (!isStorageClass(storageType)) return fail('unsupported', `unsupported storage type ${storageType.name} (${storageType.qualified})`)
  if (typeof key !== 'string') return fail('corrupt', 'storage key is not a string')
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail('corrupt', `storage ${key}: element count ${String(numel)} is invalid`)
  if (pid.items.length > 5 && viewMetadata !== null) return fail('unsupported', `storage ${key}: legacy storage views are not supported`)
  return { kind: 'storage', storageType: storageType.name, key, location: typeof location === 'string' ? location : '', numel }
}
