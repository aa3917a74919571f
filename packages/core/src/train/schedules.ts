/**
 * Learning-rate schedules as plain functions of the optimiser step (0-based: the number of
 * updates already made), as DialoGPT's `set_lr` computes them.
 */

/**
 * DialoGPT's Noam schedule: `lr · 1e4 · noam_decay(step + 1, warmupSteps, nEmbd)` with
 * `noam_decay(s, w, d) = d^-0.5 · min(s^-0.5, s · w^-1.5)`. For lr 1e-5, warmup 16000 and
 * n_embd 768 it peaks at 2.853e-5 at step 15999.
 */
export function noamSchedule(step: number, options: { learningRate: number; warmupSteps: number; nEmbd: number }): number {
  const s = step + 1
  const { learningRate, warmupSteps, nEmbd } = options
  return learningRate * 1e4 * Math.pow(nEmbd, -0.5) * Math.min(Math.pow(s, -0.5), s * Math.pow(warmupSteps, -1.5))
}

/** Linear warm-up to `learningRate` over `warmupSteps`, then linear decay to 0 at `totalSteps`. */
export function linearSchedule(step: number, options: { learningRate: number; warmupSteps: number; totalSteps: number }): number {
  const { learningRate, warmupSteps, totalSteps } = options
  if (warmupSteps > 0 && step < warmupSteps) return (learningRate * (step + 1)) / warmupSteps
  return Math.max(0, (learningRate * (totalSteps - step)) / Math.max(1, totalSteps - warmupSteps))
}

/** A constant learning rate. */
export function constantSchedule(_step: number, options: { learningRate: number }): number {
  return options.learningRate
}
