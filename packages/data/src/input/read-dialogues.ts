import type { PrepareReport } from '../prepare/prepare-report'
import type { MalformedLine } from './malformed'
import { readDumpText } from './open-dump'

function turnText(turn: unknown): string | null {
  if (typeof turn === 'string') return turn
  if (turn && typeof turn === 'object') {
    const o = turn as Record<string, unknown>
    for (const k of ['text', 'message', 'content', 'utterance']) if (typeof o[k] === 'string') return o[k] as string
  }
  return null
}

/**
 * Dialogues as users have them: a JSON array of dialogues, each an array of turns (strings, or
 * objects with `text` / `message`); an object of conversations with `content` arrays (Topical-Chat);
 * or JSON lines, one dialogue per line.
 */
export async function* readDialogues(file: string, report: PrepareReport, onMalformed: (m: MalformedLine) => void): AsyncGenerator<string[]> {
  const text = await readDumpText(file)
  let dialogues: { value: unknown; line: number }[]
  try {
    const parsed = JSON.parse(text) as unknown
    const list = Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>)
    dialogues = list.map((value, i) => ({ value, line: i + 1 }))
  } catch {
    dialogues = []
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return
      try {
        dialogues.push({ value: JSON.parse(l), line: i + 1 })
      } catch (error) {
        dialogues.push({ value: new Error(`invalid JSON (${(error as Error).message})`), line: i + 1 })
      }
    })
  }
  for (const { value, line } of dialogues) {
    report.lines++
    const turnsOf = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content) ? (v as { content: unknown[] }).content : null)
    const raw = value instanceof Error ? null : turnsOf(value)
    const turns = raw?.map(turnText)
    if (!turns || turns.some((t) => t === null)) {
      report.malformed++
      const m = { file, line, reason: value instanceof Error ? value.message : 'not a dialogue (an array of turns: strings or objects with text/message)' }
      onMalformed(m)
      continue
    }
    report.comments++
    yield turns as string[]
  }
}
