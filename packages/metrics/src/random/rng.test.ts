import { expect, it } from 'vitest'
import { Rng } from './rng'

it('is reproducible by seed and restorable from its state', () => {
  const a = new Rng(42)
  const b = new Rng(42)
  const draws = Array.from({ length: 100 }, () => a.next())
  expect(Array.from({ length: 100 }, () => b.next())).toEqual(draws)
  expect(new Rng(43).next()).not.toBe(draws[0])
  const saved = a.state()
  const next = a.next()
  expect(Rng.fromState(saved).next()).toBe(next)
  expect(draws.every((x) => x >= 0 && x < 1)).toBe(true)
})
