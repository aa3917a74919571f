import { crc32 } from '@dialogpt/data'
import { PyDict } from './pickle'
import { pickle, type PyValue, type TorchStorage } from './pickle-writer'
import { concatBytes, ELEMENT_SIZE } from './tensor-data'

/** Where a writer sends its bytes, in order. A file, a buffer, a network stream. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void> | void
}

/** Collects everything written into one `Uint8Array` (for small files and tests). */
export class MemorySink implements ByteSink {
  private parts: Uint8Array[] = []
  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice())
  }
  bytes(): Uint8Array {
    return concatBytes(this.parts)
  }
}

/** Storages of `value` in first-use order, each with its key. */
function storagesOf(value: PyValue): Map<TorchStorage, string> {
  const keys = new Map<TorchStorage, string>()
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return
    if ('storage' in v && 'stride' in v) {
      const s = (v as { storage: TorchStorage }).storage
      if (!keys.has(s)) keys.set(s, String(keys.size))
      return
    }
    if (Array.isArray(v)) v.forEach(visit)
    else if ('items' in v) (v as { items: unknown[] }).items.forEach(visit)
    else if ('entries' in v)
      for (const [k, x] of (v as { entries: Map<unknown, unknown> }).entries) {
        visit(k)
        visit(x)
      }
  }
  visit(value)
  return keys
}

async function storageBytes(s: TorchStorage, key: string): Promise<Uint8Array> {
  const bytes = typeof s.bytes === 'function' ? await s.bytes() : s.bytes
  const want = s.numel * ELEMENT_SIZE[s.dtype]
  if (bytes.length !== want) throw new RangeError(`storage ${key}: ${bytes.length} bytes given for ${s.numel} ${s.dtype} elements (${want} bytes)`)
  return bytes
}

/**
 * Writes `value` (a state dict, an optimizer's `state_dict()`, any {@link PyValue}) as a
 * `torch.save` zip archive (PyTorch ≥ 1.6): `<archive>/data.pkl`, `byteorder`, one stored record
 * per storage (`data/<key>`, its data aligned to 64 bytes as torch aligns it), `version`. Records
 * are stored, with CRC-32s, and zip64 records are written whenever an offset or size needs them, so
 * files of any size work. Storages are produced and written one at a time.
 */
export async function writeTorchZip(value: PyValue, sink: ByteSink, options: { archive?: string } = {}): Promise<void> {
  const archive = options.archive ?? 'archive'
  const keys = storagesOf(value)
  const zip = new ZipWriter(sink)
  await zip.add(`${archive}/data.pkl`, pickle(value, (s) => keys.get(s)!))
  await zip.add(`${archive}/byteorder`, new TextEncoder().encode('little'))
  for (const [storage, key] of keys) await zip.add(`${archive}/data/${key}`, await storageBytes(storage, key))
  await zip.add(`${archive}/version`, new TextEncoder().encode('3\n'))
  await zip.finish()
}

/**
 * Writes `value` in PyTorch's legacy (pre-1.6) format — the format of the original DialoGPT
 * `.pkl` and `pytorch_model.bin` uploads: five pickles (magic number, protocol version 1001, system
 * info, the value, the storage keys), then each storage as an int64 element count and its bytes.
 */
export async function writeTorchLegacy(value: PyValue, sink: ByteSink, options: { location?: string } = {}): Promise<void> {
  const keys = storagesOf(value)
  const none = () => {
    throw new Error('no storage expected here')
  }
  const magic = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e])
  await sink.write(magic)
  await sink.write(pickle(1001, none))
  const sys = new PyDict()
  sys.entries.set('protocol_version', 1001)
  sys.entries.set('little_endian', true)
  const sizes = new PyDict()
  sizes.entries.set('short', 2).set('int', 4).set('long', 8)
  sys.entries.set('type_sizes', sizes)
  await sink.write(pickle(sys, none))
  await sink.write(pickle(value, (s) => keys.get(s)!, { legacy: true, location: options.location }))
  await sink.write(pickle([...keys.values()], none))
  for (const [storage, key] of keys) {
    const count = new Uint8Array(8)
    new DataView(count.buffer).setBigInt64(0, BigInt(storage.numel), true)
    await sink.write(count)
    await sink.write(await storageBytes(storage, key))
  }
}

const ALIGN = 64
const BIG = 0xffffffff

/** A minimal zip writer: stored entries only, data aligned to 64 bytes, zip64 where needed. */
class ZipWriter {
  private offset = 0
  private entries: { name: Uint8Array; crc: number; size: number; local: number }[] = []

  constructor(private readonly sink: ByteSink) {}

  private async put(bytes: Uint8Array): Promise<void> {
    await this.sink.write(bytes)
    this.offset += bytes.length
  }

  async add(name: string, data: Uint8Array): Promise<void> {
    const nameBytes = new TextEncoder().encode(name)
    const crc = crc32(data)
    const local = this.offset
    const zip64 = data.length >= BIG || local >= BIG
    const zip64Extra = zip64 ? 20 : 0
    // Pad with an extra field ('FB', as torch does) so that the data starts on a 64-byte boundary.
    const unpadded = local + 30 + nameBytes.length + zip64Extra + 4
    const pad = (ALIGN - (unpadded % ALIGN)) % ALIGN
    const header = new Uint8Array(30 + nameBytes.length + zip64Extra + 4 + pad)
    const v = new DataView(header.buffer)
    v.setUint32(0, 0x04034b50, true)
    v.setUint16(4, zip64 ? 45 : 20, true)
    v.setUint16(6, 0x0800, true) // UTF-8 names
    v.setUint32(14, crc, true)
    v.setUint32(18, zip64 ? BIG : data.length, true)
    v.setUint32(22, zip64 ? BIG : data.length, true)
    v.setUint16(26, nameBytes.length, true)
    v.setUint16(28, zip64Extra + 4 + pad, true)
    header.set(nameBytes, 30)
    let e = 30 + nameBytes.length
    if (zip64) {
      v.setUint16(e, 0x0001, true)
      v.setUint16(e + 2, 16, true)
      v.setBigUint64(e + 4, BigInt(data.length), true)
      v.setBigUint64(e + 12, BigInt(data.length), true)
      e += 20
    }
    v.setUint16(e, 0x4246, true) // 'FB'
    v.setUint16(e + 2, pad, true)
    header.fill(0x5a, e + 4) // 'Z'
    await this.put(header)
    await this.put(data)
    this.entries.push({ name: nameBytes, crc, size: data.length, local })
  }

  async finish(): Promise<void> {
    const start = this.offset
    for (const entry of this.entries) {
      const needs = [entry.size >= BIG, entry.size >= BIG, entry.local >= BIG]
      const extra = needs.filter(Boolean).length * 8
      const h = new Uint8Array(46 + entry.name.length + (extra ? 4 + extra : 0))
      const v = new DataView(h.buffer)
      v.setUint32(0, 0x02014b50, true)
      v.setUint16(4, 45, true)
      v.setUint16(6, extra ? 45 : 20, true)
      v.setUint16(8, 0x0800, true)
      v.setUint32(16, entry.crc, true)
      v.setUint32(20, needs[0] ? BIG : entry.size, true)
      v.setUint32(24, needs[1] ? BIG : entry.size, true)
      v.setUint16(28, entry.name.length, true)
      v.setUint16(30, extra ? 4 + extra : 0, true)
      v.setUint32(42, needs[2] ? BIG : entry.local, true)
      h.set(entry.name, 46)
      if (extra) {
        let e = 46 + entry.name.length
        v.setUint16(e, 0x0001, true)
        v.setUint16(e + 2, extra, true)
        e += 4
        // zip64 extra: uncompressed size, compressed size, local offset, each only when needed.
        for (const [i, value] of [entry.size, entry.size, entry.local].entries()) {
          if (!needs[i]) continue
          v.setBigUint64(e, BigInt(value), true)
          e += 8
        }
      }
      await this.put(h)
    }
    const size = this.offset - start
    const count = this.entries.length
    // zip64 end of central directory + locator (torch always writes them), then the classic record.
    const z = new Uint8Array(56 + 20 + 22)
    const v = new DataView(z.buffer)
    v.setUint32(0, 0x06064b50, true)
    v.setBigUint64(4, 44n, true)
    v.setUint16(12, 45, true)
    v.setUint16(14, 45, true)
    v.setBigUint64(24, BigInt(count), true)
    v.setBigUint64(32, BigInt(count), true)
    v.setBigUint64(40, BigInt(size), true)
    v.setBigUint64(48, BigInt(start), true)
    v.setUint32(56, 0x07064b50, true)
    v.setBigUint64(64, BigInt(this.offset), true)
    v.setUint32(72, 1, true)
    v.setUint32(76, 0x06054b50, true)
    v.setUint16(84, Math.min(count, 0xffff), true)
    v.setUint16(86, Math.min(count, 0xffff), true)
    v.setUint32(88, Math.min(size, BIG), true)
    v.setUint32(92, Math.min(start, BIG), true)
    await this.put(z)
  }
}
