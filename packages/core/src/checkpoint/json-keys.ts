import { CheckpointError } from './errors'

/** Limits on a JSON header, checked in one linear pass before `JSON.parse` builds anything. */
export interface JsonHeaderLimits {
  /** Deepest nesting of objects and arrays allowed (the top-level object is depth 1). */
  maxDepth: number
  /** Most top-level keys allowed. */
  maxKeys: number
  /** Most values allowed inside the top-level entries, counted by their separating commas (bounds what parsing builds). */
  maxItems: number
  /** What the header belongs to, for messages. */
  what: string
}

/**
 * The keys of a JSON object's top level, in order, duplicates included, found in one pass over the
 * text that also enforces `limits`: `JSON.parse` silently keeps the last of two equal keys (a
 * checkpoint header naming a tensor twice must be refused instead), and it would happily build
 * millions of nested arrays or entries from a hostile header before any check could run.
 * Assumes nothing about validity: malformed text is left for `JSON.parse` to reject.
 */
export function topLevelKeys(text: string, limits: JsonHeaderLimits): string[] {
  const keys: string[] = []
  let depth = 0
  let items = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i)
      if (depth === 1) {
        let j = end
        while (j < n && isSpace(text.charCodeAt(j))) j++
        if (text.charCodeAt(j) === 0x3a /* : */) {
          if (keys.length === limits.maxKeys) throw new CheckpointError('corrupt', `${limits.what} has more than ${limits.maxKeys} entries: refused before parsing`)
          try {
            keys.push(JSON.parse(text.slice(i, end)) as string)
          } catch {
            return keys // malformed: JSON.parse of the whole header reports it
          }
        }
      }
      i = end
      continue
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.maxDepth) throw new CheckpointError('corrupt', `${limits.what} nests objects or arrays more than ${limits.maxDepth} deep: refused before parsing`, { offset: i })
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--
    else if (c === 0x2c /* , */ && depth > 1 && ++items > limits.maxItems)
      throw new CheckpointError('corrupt', `${limits.what} holds more than ${limits.maxItems} values: refused before parsing`, { offset: i })
    i++
  }
  return keys
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

function stringEnd(text: string, start: number): number {
  let i = start + 1
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x5c /* \ */) i += 2
    else if (c === 0x22) return i + 1
    else i++
  }
  return i
}
