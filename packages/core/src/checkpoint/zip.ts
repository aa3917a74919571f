import { asSource, type ByteSource } from './byte-source'
import { CheckpointError } from './errors'

/** One entry of a zip archive: where its (stored, uncompressed) data lies in the file. */
export interface ZipEntry {
  name: string
  method: number
  dataOffset: number
  size: number
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/** The most bytes the end records (EOCD with its comment, zip64 locator and zip64 EOCD) can take. */
const TAIL_BYTES = 22 + 65535 + 20 + 56

/**
 * Reads a zip archive's central directory (classic or zip64) and locates every entry's data,
 * checking each range against the file's real size before anything is read. Only the layout is
 * read here (the tail, the directory, each local header): data stays in the source.
 */
export function readZipDirectory(input: Uint8Array | ByteSource): Map<string, ZipEntry> {
  const source = asSource(input)
  const size = source.length
  const fail = (code: CheckpointError['code'], message: string, offset?: number): never => {
    throw new CheckpointError(code, message, offset === undefined ? {} : { offset })
  }
  const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes.
  const tailStart = Math.max(0, size - TAIL_BYTES)
  const tail = viewOf(source.read(tailStart, size - tailStart))
  let eocdInTail = -1
  for (let i = tail.byteLength - 22; i >= Math.max(0, tail.byteLength - 22 - 65535); i--) {
    if (tail.getUint32(i, true) === EOCD && tailStart + i + 22 + tail.getUint16(i + 20, true) === size) {
      eocdInTail = i
      break
    }
  }
  if (eocdInTail < 0) fail('truncated', 'zip end-of-central-directory record not found: the file is truncated or not a zip archive')
  const eocd = tailStart + eocdInTail
  let count = tail.getUint16(eocdInTail + 10, true)
  let cdSize = tail.getUint32(eocdInTail + 12, true)
  let cdOffset = tail.getUint32(eocdInTail + 16, true)
  const locator = eocdInTail - 20
  if (locator >= 0 && tail.getUint32(locator, true) === ZIP64_LOCATOR) {
    const z = Number(tail.getBigUint64(locator + 8, true))
    const record = Number.isSafeInteger(z) && z >= 0 && z + 56 <= size ? viewOf(source.read(z, 56)) : undefined
    if (!record || record.getUint32(0, true) !== ZIP64_EOCD) fail('corrupt', 'zip64 end-of-central-directory record is missing or out of range', tailStart + locator)
    count = Number(record!.getBigUint64(32, true))
    cdSize = Number(record!.getBigUint64(40, true))
    cdOffset = Number(record!.getBigUint64(48, true))
  }
  if (!Number.isSafeInteger(cdOffset) || !Number.isSafeInteger(cdSize) || cdOffset + cdSize > size)
    fail('corrupt', `corrupt zip: the central directory (offset ${cdOffset}, ${cdSize} bytes) lies outside the file (${size} bytes)`, eocd)
  const directory = source.read(cdOffset, cdSize)
  const view = viewOf(directory)

  const entries = new Map<string, ZipEntry>()
  let p = 0 // within the directory
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || view.getUint32(p, true) !== CENTRAL) fail('corrupt', `corrupt zip: central directory entry ${k} is malformed`, cdOffset + p)
    const method = view.getUint16(p + 10, true)
    let compressedSize = view.getUint32(p + 20, true)
    let entrySize = view.getUint32(p + 24, true)
    const nameLength = view.getUint16(p + 28, true)
    const extraLength = view.getUint16(p + 30, true)
    const commentLength = view.getUint16(p + 32, true)
    let localOffset = view.getUint32(p + 42, true)
    if (p + 46 + nameLength + extraLength + commentLength > cdSize) fail('corrupt', `corrupt zip: central directory entry ${k} runs past the directory`, cdOffset + p)
    const name = new TextDecoder().decode(directory.subarray(p + 46, p + 46 + nameLength))
    // Zip64 extended information: 64-bit values for the fields that are 0xFFFFFFFF.
    let e = p + 46 + nameLength
    const extraEnd = e + extraLength
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true)
      const len = view.getUint16(e + 2, true)
      if (id === 0x0001) {
        let q = e + 4
        const next = () => {
          if (q + 8 > e + 4 + len) fail('corrupt', `corrupt zip64 extra field for ${name}`, cdOffset + q)
          const v = Number(view.getBigUint64(q, true))
          q += 8
          return v
        }
        if (entrySize === 0xffffffff) entrySize = next()
        if (compressedSize === 0xffffffff) compressedSize = next()
        if (localOffset === 0xffffffff) localOffset = next()
      }
      e += 4 + len
    }
    const local = Number.isSafeInteger(localOffset) && localOffset + 30 <= size ? viewOf(source.read(localOffset, 30)) : undefined
    if (!local || local.getUint32(0, true) !== LOCAL) fail('corrupt', `corrupt zip: local header of ${name} is missing or out of range`, localOffset)
    const dataOffset = localOffset + 30 + local!.getUint16(26, true) + local!.getUint16(28, true)
    if (!Number.isSafeInteger(compressedSize) || dataOffset + compressedSize > size)
      fail('truncated', `zip entry ${name} (${compressedSize} bytes at ${dataOffset}) extends past the end of the file (${size} bytes)`, dataOffset)
    if (method === 0 && compressedSize !== entrySize) fail('corrupt', `zip entry ${name} is stored but its sizes differ (${compressedSize} vs ${entrySize})`, cdOffset + p)
    entries.set(name, { name, method, dataOffset, size: compressedSize })
    p += 46 + nameLength + extraLength + commentLength
  }
  return entries
}
