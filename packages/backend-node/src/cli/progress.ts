/** Formats seconds as `1h02m`, `4m12s` or `9s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${s}s`
}

/** A `[#####-----]` bar for `fraction` in [0, 1]. */
export function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, fraction))
  const filled = Math.round(f * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
}

/**
 * A one-line live status on a terminal (redrawn in place), or a plain line every `everyMs` when the
 * stream is not a terminal (logs, CI), so progress is visible either way.
 */
export class ProgressLine {
  private last = 0
  private drawn = false

  constructor(
    private readonly write: (text: string) => void,
    private readonly isTTY: boolean,
    private readonly everyMs = 5000,
  ) {}

  update(text: string, force = false): void {
    const now = Date.now()
    if (this.isTTY) {
      this.write(`\r\x1b[2K${text}`)
      this.drawn = true
    } else if (force || now - this.last >= this.everyMs) {
      this.write(`${text}\n`)
      this.last = now
    }
  }

  /** Ends the live line (a newline on a terminal). */
  done(): void {
    if (this.isTTY && this.drawn) this.write('\n')
    this.drawn = false
  }
}
