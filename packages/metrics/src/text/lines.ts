/**
 * Splits a text file's contents into lines the way Python's text mode and Java's `readLine` do:
 * `\r\n`, `\r` and `\n` all end a line, and a final line terminator does not start a new line.
 */
export function splitLines(contents: string): string[] {
  if (contents === '') return []
  const lines = contents.split(/\r\n|\r|\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}
