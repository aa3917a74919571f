// Writes a float16 state dict in PyTorch's legacy (pre-1.6) `torch.save` format, the format of the
// original DialoGPT uploads, for the load benchmark: five protocol-2 pickles (magic number, protocol
// version, system info, the OrderedDict of tensors rebuilt by `torch._utils._rebuild_tensor_v2` over
// persistent-id storages tagged 'cuda:0', the storage keys), then each storage as an int64 element
// count and its bytes. Written from the format description in ../shared/fixtures/checkpoints/README.md.
import { closeSync, openSync, writeSync } from 'node:fs'

class PickleWriter {
  private parts: Uint8Array[] = []
  private bytes(...b: number[]) {
    this.parts.push(Uint8Array.from(b))
  }
  private u32(n: number) {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n, true)
    this.parts.push(b)
  }
  /** LONG1 with torch's magic number 0x1950a86a20f9469cfc6c. */
  magic() {
    this.bytes(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
  }
  proto() {
    this.bytes(0x80, 2)
  }
  stop() {
    this.bytes(0x2e)
  }
  mark() {
    this.bytes(0x28)
  }
  int(n: number) {
    if (n >= 0 && n < 256) this.bytes(0x4b, n)
    else if (n >= 0 && n < 65536) this.bytes(0x4d, n & 0xff, n >> 8)
    else {
      this.bytes(0x4a)
      const b = new Uint8Array(4)
      new DataView(b.buffer).setInt32(0, n, true)
      this.parts.push(b)
    }
  }
  str(s: string) {
    const utf8 = new TextEncoder().encode(s)
    this.bytes(0x58)
    this.u32(utf8.length)
    this.parts.push(utf8)
  }
  global(module: string, name: string) {
    this.parts.push(Uint8Array.from([0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)]))
  }
  tuple(items: number[]) {
    if (items.length === 0) return this.bytes(0x29)
    this.mark()
    for (const i of items) this.int(i)
    this.bytes(0x74)
  }
  op(name: 'none' | 'true' | 'false' | 'emptyTuple' | 'emptyDict' | 'emptyList' | 'reduce' | 'tuple' | 'binpersid' | 'setitem' | 'setitems' | 'appends') {
    const codes = { none: 0x4e, true: 0x88, false: 0x89, emptyTuple: 0x29, emptyDict: 0x7d, emptyList: 0x5d, reduce: 0x52, tuple: 0x74, binpersid: 0x51, setitem: 0x73, setitems: 0x75, appends: 0x65 }
    this.bytes(codes[name])
  }
  take(): Uint8Array[] {
    const p = this.parts
    this.parts = []
    return p
  }
}

/** IEEE half from a float32, round to nearest even (as `tensor.half()`). */
function toHalf(x: number, f32: Float32Array, u32: Uint32Array): number {
  f32[0] = x
  const u = u32[0]!
  const sign = (u >>> 16) & 0x8000
  const exp = (u >>> 23) & 0xff
  let mant = u & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    const half = mant >>> shift
    const rest = mant & ((1 << shift) - 1)
    const mid = 1 << (shift - 1)
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0))
  }
  let half = (e << 10) | (mant >>> 13)
  const rest = mant & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++
  return sign | half
}

/** Writes `tensors` (HF names → float32 data and shape) as a legacy fp16 `pytorch_model.bin`; `lm_head.weight` shares wte's storage. */
export function writeLegacyFp16(path: string, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
  const p = new PickleWriter()
  const fd = openSync(path, 'w')
  const write = (parts: Uint8Array[]) => {
    for (const part of parts) writeSync(fd, part)
  }
  try {
    p.proto()
    p.magic()
    p.stop()
    p.proto()
    p.int(1001)
    p.stop()
    p.proto()
    p.op('emptyDict')
    p.mark()
    p.str('protocol_version')
    p.int(1001)
    p.str('little_endian')
    p.op('true')
    p.str('type_sizes')
    p.op('emptyDict')
    p.mark()
    for (const [k, v] of [['short', 2], ['int', 4], ['long', 8]] as const) {
      p.str(k)
      p.int(v)
    }
    p.op('setitems')
    p.op('setitems')
    p.stop()
    // The state dict.
    const keys: string[] = []
    const keyOf = new Map<string, string>()
    const entries = [...tensors.entries()]
    const wte = tensors.get('transformer.wte.weight')
    if (wte) entries.push(['lm_head.weight', wte])
    p.proto()
    p.global('collections', 'OrderedDict')
    p.op('emptyTuple')
    p.op('reduce')
    for (const [name, t] of entries) {
      const source = name === 'lm_head.weight' ? 'transformer.wte.weight' : name
      let key = keyOf.get(source)
      if (!key) {
        key = String(94000000000000 + keys.length * 4096)
        keyOf.set(source, key)
        keys.push(key)
      }
      const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1))
      p.str(name)
      p.global('torch._utils', '_rebuild_tensor_v2')
      p.mark()
      p.mark()
      p.str('storage')
      p.global('torch', 'HalfStorage')
      p.str(key)
      p.str('cuda:0')
      p.int(t.data.length)
      p.op('none')
      p.op('tuple')
      p.op('binpersid')
      p.int(0)
      p.tuple(t.shape)
      p.tuple(strides)
      p.op('false')
      p.global('collections', 'OrderedDict')
      p.op('emptyTuple')
      p.op('reduce')
      p.op('tuple')
      p.op('reduce')
      p.op('setitem')
    }
    p.stop()
    p.proto()
    p.op('emptyList')
    p.mark()
    for (const k of keys) p.str(k)
    p.op('appends')
    p.stop()
    write(p.take())
    // The storages, in the key list's order.
    const f32 = new Float32Array(1)
    const u32 = new Uint32Array(f32.buffer)
    for (const source of keyOf.keys()) {
      const data = tensors.get(source)!.data
      const count = new Uint8Array(8)
      new DataView(count.buffer).setBigInt64(0, BigInt(data.length), true)
      const half = new Uint16Array(data.length)
      for (let i = 0; i < data.length; i++) half[i] = toHalf(data[i]!, f32, u32)
      write([count, new Uint8Array(half.buffer)])
    }
  } finally {
    closeSync(fd)
  }
}
