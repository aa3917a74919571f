/**
 * The keys of a JSON object's top level, in order, duplicates included. `JSON.parse` silently
 * keeps the last of two equal keys; a checkpoint header with a duplicate tensor name must be
 * refused instead, so the header is scanned for them first. Assumes `text` parsed as an object.
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = []
  let depth = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      const end = stringEnd(text, i)
      if (depth === 1) {
        let j = end
        while (j < text.length && /\s/.test(text[j]!)) j++
        if (text[j] === ':') keys.push(JSON.parse(text.slice(i, end)) as string)
      }
      i = end
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
    i++
  }
  return keys
}

function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    if (text[i] === '\\') i += 2
    else if (text[i] === '"') return i + 1
    else i++
  }
  return i
}
