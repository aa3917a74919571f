import { readFile } from 'node:fs/promises'
import { MetricsInputError } from '../errors'
import { splitLines } from '../text/lines'

/**
 * Reads a one-segment-per-line text file as the official scripts do (`\n`, `\r\n` or `\r` end a
 * line). Invalid UTF-8 is an error that names the file and line, never silently replaced.
 */
export async function readLinesFile(path: string): Promise<string[]> {
  return splitLines(await readTextFile(path))
}

/**
 * Reads a UTF-8 text file whole, without a leading byte-order mark. A file that cannot be read, or
 * invalid UTF-8, is a {@link MetricsInputError} naming the file (and the line of the first bad byte).
 */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new MetricsInputError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new MetricsInputError('is not valid UTF-8', `${path}:${lineOfFirstInvalidByte(bytes)}`)
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function lineOfFirstInvalidByte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let line = 1
  let start = 0
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i))
      } catch {
        return line
      }
      line++
      start = i + 1
    }
  }
  return line
}
