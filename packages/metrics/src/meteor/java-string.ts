/** Java's `String.hashCode()`: METEOR compares words (and stems) by this hash, not by text. */
export function javaHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** Java's `StringTokenizer` with default delimiters: splits on space, tab, LF, CR and FF only. */
export function javaTokenize(s: string): string[] {
  return s.split(/[ \t\n\r\f]+/).filter((t) => t !== '')
}

/** Java's `String.trim()`: removes every character <= U+0020 from both ends. */
export function javaTrim(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) <= 32) start++
  while (end > start && s.charCodeAt(end - 1) <= 32) end--
  return s.slice(start, end)
}
