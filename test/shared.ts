import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, it } from 'vitest'

/**
 * The reference fixtures live in `../shared`, beside the clone (never copied into the repo).
 * Tests that need them use {@link describeShared}: they run when the folder is there, skip
 * with a visible notice when it is not, and fail when it is missing under `CI=true`.
 */
export const sharedRoot = resolve(__dirname, '..', '..', 'shared')

export function sharedPath(...parts: string[]): string {
  return join(sharedRoot, ...parts)
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts))
}

const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')

export function describeShared(name: string, parts: string[], body: () => void): void {
  if (hasShared(...parts)) {
    describe(name, body)
  } else if (isCI) {
    describe(name, () => {
      it(`needs ${sharedPath(...parts)}`, () => {
        throw new Error(`CI=true but the reference data ${sharedPath(...parts)} is missing`)
      })
    })
  } else {
    console.warn(`[skip] ${name}: ${sharedPath(...parts)} is absent, so these tests are skipped (they fail under CI=true)`)
    // The body is not run: it may read the missing data while collecting its tests.
    describe.skip(name, () => {
      it(`needs ${sharedPath(...parts)}`, () => {})
    })
  }
}
