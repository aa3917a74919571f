// Deterministic train / valid / test split by thread, so no conversation leaks across the split.
import type { PreparedSession } from '@dialogpt/data/node'

function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  // final avalanche (murmur3's fmix32): FNV alone leaves short, similar ids clustered
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

export function splitByThread(sessions: readonly PreparedSession[], testShare = 0.12, validShare = 0.08): { train: PreparedSession[]; valid: PreparedSession[]; test: PreparedSession[] } {
  const out = { train: [] as PreparedSession[], valid: [] as PreparedSession[], test: [] as PreparedSession[] }
  sessions.forEach((s, i) => {
    const u = hash(s.linkId ?? String(i)) / 4294967296
    out[u < testShare ? 'test' : u < testShare + validShare ? 'valid' : 'train'].push(s)
  })
  return out
}

/**
 * Test prompts with all their references: sessions of the test threads that share a context
 * (sibling replies) become one prompt with several references, as in the 6K multi-reference set.
 */
export function multiReference(test: readonly PreparedSession[]): { context: string[]; references: string[] }[] {
  const byContext = new Map<string, { context: string[]; references: string[] }>()
  for (const s of test) {
    const context = s.turns.slice(0, -1)
    const key = context.join('\u0000')
    const entry = byContext.get(key) ?? { context, references: [] }
    entry.references.push(s.turns[s.turns.length - 1]!)
    byContext.set(key, entry)
  }
  return [...byContext.values()]
}

/**
 * The training (or validation) sessions that contain none of the held-out references word for word:
 * the sample's threads reuse sentences, so a thread-level split alone left the test references in the
 * training data, and every decoder "reproduced" them. Returns the kept sessions and how many were dropped.
 */
export function withoutHeldOutText(sessions: readonly PreparedSession[], tests: readonly { references: string[] }[]): { kept: PreparedSession[]; dropped: number } {
  const held = new Set(tests.flatMap((t) => t.references.map((r) => r.trim())))
  const kept = sessions.filter((s) => !s.turns.some((turn) => held.has(turn.trim())))
  return { kept, dropped: sessions.length - kept.length }
}
