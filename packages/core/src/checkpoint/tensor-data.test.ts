import { expect, it } from 'vitest'
import { readSafetensors, writeSafetensors } from './safetensors'
import { asBytes, decodeElements } from './tensor-data'

it('returns aligned float32 as a view of the file bytes (no copy), and copies unaligned data', () => {
  const values = Float32Array.from([1.5, -2, 3.25, 1e-3])
  const file = writeSafetensors([['w', { shape: [2, 2], data: values }]])
  const w = readSafetensors(file).tensors.get('w')!
  expect(Array.from(w.data)).toEqual(Array.from(values))
  expect(w.data.buffer).toBe(file.buffer) // shares the file's memory

  // The same four floats one byte into a buffer: still decoded right, into a fresh array.
  const shifted = new Uint8Array(1 + 16)
  shifted.set(new Uint8Array(values.buffer), 1)
  const copy = decodeElements(shifted, 1, 4, 'float32')
  expect(Array.from(copy)).toEqual(Array.from(values))
  expect(copy.buffer).not.toBe(shifted.buffer)
})

it('asBytes gives a plain Uint8Array over a Buffer without copying', () => {
  const buffer = Buffer.from([1, 2, 3, 4])
  const bytes = asBytes(buffer)
  expect(bytes.constructor).toBe(Uint8Array)
  expect(bytes.buffer).toBe(buffer.buffer)
  expect(Array.from(bytes)).toEqual([1, 2, 3, 4])
})
