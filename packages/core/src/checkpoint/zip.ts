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

/**
 * Reads a zip archive's central directory (classic or zip64) and locates every entry's data,
 * checking each range against the file's real size before anything is read. Only the layout is
 * parsed here; data stays in the caller's buffer.
 */
export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const fail = (code: CheckpointError['code'], message: string, offset?: number): never => {
    throw new CheckpointError(code, message, offset === undefined ? {} : { offset })
  }
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD && i + 22 + view.getUint16(i + 20, true) === bytes.length) {
      eocd = i
      break
    }
  }
  if (eocd < 0) fail('truncated', 'zip end-of-central-directory record not found: the file is truncated or not a zip archive')
  let count = view.getUint16(eocd + 10, true)
  let cdSize = view.getUint32(eocd + 12, true)
  let cdOffset = view.getUint32(eocd + 16, true)
  const locator = eocd - 20
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
    const z = Number(view.getBigUint64(locator + 8, true))
    if (!Number.isSafeInteger(z) || z < 0 || z + 56 > bytes.length || view.getUint32(z, true) !== ZIP64_EOCD)
      fail('corrupt', 'zip64 end-of-central-directory record is missing or out of range', locator)
    count = Number(view.getBigUint64(z + 32, true))
    cdSize = Number(view.getBigUint64(z + 40, true))
    cdOffset = Number(view.getBigUint64(z + 48, true))
  }
  if (!Number.isSafeInteger(cdOffset) || !Number.isSafeInteger(cdSize) || cdOffset + cdSize > bytes.length)
    fail('corrupt', `corrupt zip: the central directory (offset ${cdOffset}, ${cdSize} bytes) lies outside the file (${bytes.length} bytes)`, eocd)

  const entries = new Map<string, ZipEntry>()
  let p = cdOffset
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdOffset + cdSize || view.getUint32(p, true) !== CENTRAL) fail('corrupt', `corrupt zip: central directory entry ${k} is malformed`, p)
    const method = view.getUint16(p + 10, true)
    let compressedSize = view.getUint32(p + 20, true)
    let size = view.getUint32(p + 24, true)
    const nameLength = view.getUint16(p + 28, true)
    const extraLength = view.getUint16(p + 30, true)
    const commentLength = view.getUint16(p + 32, true)
    let localOffset = view.getUint32(p + 42, true)
    if (p + 46 + nameLength + extraLength + commentLength > cdOffset + cdSize) fail('corrupt', `corrupt zip: central directory entry ${k} runs past the directory`, p)
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength))
    // Zip64 extended information: 64-bit values for the fields that are 0xFFFFFFFF.
    let e = p + 46 + nameLength
    const extraEnd = e + extraLength
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true)
      const len = view.getUint16(e + 2, true)
      if (id === 0x0001) {
        let q = e + 4
        const next = () => {
          if (q + 8 > e + 4 + len) fail('corrupt', `corrupt zip64 extra field for ${name}`, q)
          const v = Number(view.getBigUint64(q, true))
          q += 8
          return v
        }
        if (size === 0xffffffff) size = next()
        if (compressedSize === 0xffffffff) compressedSize = next()
        if (localOffset === 0xffffffff) localOffset = next()
      }
      e += 4 + len
    }
    if (!Number.isSafeInteger(localOffset) || localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL)
      fail('corrupt', `corrupt zip: local header of ${name} is missing or out of range`, localOffset)
    const dataOffset = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true)
    if (!Number.isSafeInteger(compressedSize) || dataOffset + compressedSize > bytes.length)
      fail('truncated', `zip entry ${name} (${compressedSize} bytes at ${dataOffset}) extends past the end of the file (${bytes.length} bytes)`, dataOffset)
    if (method === 0 && compressedSize !== size) fail('corrupt', `zip entry ${name} is stored but its sizes differ (${compressedSize} vs ${size})`, p)
    entries.set(name, { name, method, dataOffset, size: compressedSize })
    p += 46 + nameLength + extraLength + commentLength
  }
  return entries
}
