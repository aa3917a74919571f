/**
 * The paper's significance marks (Table 7): `*` p ≤ 0.01, `**` p ≤ 0.001, `***` p ≤ 0.0001,
 * `****` p ≤ 0.00001, none above 0.01.
 *
 * A bootstrap p-value of 0 from B resamples only says p < 2/B; pass `resolution` = 2/B and the
 * marks claim no more than that: 10,000 resamples can earn at most `**`, and `****` needs over
 * 200,000.
 */
export function significanceStars(p: number, resolution = 0): string {
  const bound = Math.max(p, resolution)
  if (Number.isNaN(p)) return ''
  if (bound <= 1e-5) return '****'
  if (bound <= 1e-4) return '***'
  if (bound <= 1e-3) return '**'
  if (bound <= 1e-2) return '*'
  return ''
}

/**
 * The exact two-sided sign test of `a` wins against `b` (ties left out), as SciPy's
 * `binomtest(a, a + b, 0.5)`: the probability, under a fair coin, of a split at least as uneven.
 */
export function signTestP(a: number, b: number): number {
  const n = a + b
  if (n === 0) return 1
  const k = Math.min(a, b)
  // P(X ≤ k) for X ~ Binomial(n, 1/2), doubled (the distribution is symmetric).
  if (2 * k === n) return 1
  let sum = 0
  const logHalfN = n * Math.log(0.5)
  for (let i = 0; i <= k; i++) sum += Math.exp(logChoose(n, i) + logHalfN)
  return Math.min(1, 2 * sum)
}

/** log C(n, k). */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
}

// Lanczos approximation (g = 7, 9 terms), relative error about 1e-15 for x ≥ 0.5.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}
