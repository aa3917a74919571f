import { describe, expect, it } from 'vitest'
import { humanOracles } from '../testing/human-oracles'
import { logGamma, significanceStars, signTestP } from './significance'

describe('significance', () => {
  it.each(humanOracles().sign_test.cases.map((c) => [`${c.a} vs ${c.b}`, c] as const))('sign test %s equals SciPy binomtest', (_name, c) => {
    const p = signTestP(c.a, c.b)
    expect(Math.abs(p - c.p), `${p} vs ${c.p}`).toBeLessThanOrEqual(1e-9 * Math.max(c.p, 1e-300) + 1e-300)
  })

  it('logGamma gives log factorials', () => {
    let logFactorial = 0
    for (let n = 1; n <= 170; n++) {
      logFactorial += Math.log(n)
      expect(Math.abs(logGamma(n + 1) - logFactorial)).toBeLessThan(1e-12 * Math.max(1, logFactorial))
    }
    expect(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI)))).toBeLessThan(1e-14)
  })

  it("marks p-values at the paper's thresholds, never finer than the resampling resolves", () => {
    expect([0.02, 0.01, 0.001, 0.0001, 0.00001, 0].map((p) => significanceStars(p))).toEqual(['', '*', '**', '***', '****', '****'])
    // With 10,000 resamples a p of 0 only says p < 0.0002.
    expect(significanceStars(0, 2 / 10_000)).toBe('**')
    expect(significanceStars(0, 2 / 1_000_000)).toBe('****')
  })
})
