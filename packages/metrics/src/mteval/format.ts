/**
 * Formats a score with 4 decimals the way mteval's Perl `printf("%.4f")` does (C printf):
 * the exact binary value is rounded, and an exact tie goes to the even digit. JavaScript's
 * `toFixed` breaks such ties upward; they happen only for odd multiples of 1/32.
 */
export function formatMteval(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const scaled = value * 32
  if (Number.isInteger(scaled) && scaled % 2 !== 0) {
    // An exact tie at the 5th decimal: round half to even.
    const up = value.toFixed(4)
    const lastDigit = Number(up[up.length - 1])
    if (lastDigit % 2 === 1) return (value - 0.00005).toFixed(4)
    return up
  }
  return value.toFixed(4)
}

/** {@link formatMteval} as a number: what DialoGPT parses from mteval's output. */
export function roundMteval(value: number): number {
  return Number(formatMteval(value))
}
