import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { readDumpLineBatches, type DumpLine } from './open-dump'

/** What the lines must be: the whole file through TextDecoder (which drops a leading BOM), split on newlines. */
function reference(bytes: Buffer): DumpLine[] {
  const out: DumpLine[] = []
  new TextDecoder().decode(bytes).split('\n').forEach((text, i) => {
    if (text.trim()) out.push({ line: i + 1, text })
  })
  return out
}

it('cuts lines across chunk boundaries exactly as decoding the whole file would: split characters, long lines, CRLF, BOM, invalid UTF-8', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-lines-'))
  try {
    // Read in 64 KiB chunks: put a 4-byte character across the first boundary, a line longer than
    // three chunks, invalid bytes next to a newline, blank lines and a last line without a newline.
    const parts: Buffer[] = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"a":1}\r\n\n${'x'.repeat(65536 - 16)}`), Buffer.from('😀 end\n'), Buffer.from(`${'long é '.repeat(30000)}\n  \n`), Buffer.from([0x61, 0xc3, 0x0a, 0xff, 0x62, 0x0a]), Buffer.from('ascii only line\nlast without newline')]
    const bytes = Buffer.concat(parts)
    for (const [name, data] of [['plain.jsonl', bytes], ['packed.jsonl.gz', gzipSync(bytes)]] as const) {
      const file = join(dir, name)
      writeFileSync(file, data)
      const lines: DumpLine[] = []
      let batches = 0
      for await (const batch of readDumpLineBatches(file)) {
        lines.push(...batch)
        batches++
      }
      expect(batches).toBeGreaterThan(1)
      expect(lines, name).toEqual(reference(bytes))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
