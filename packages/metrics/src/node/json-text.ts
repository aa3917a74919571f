/** A result as indented JSON; JSON has no NaN, so the values the original cannot compute (Dist-n of an empty corpus, skipped METEOR, an undefined agreement) are written as null. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`
}
