import { defineConfig, type Options } from 'tsup'

/**
 * The build every @dialogpt package shares: ESM + CJS + .d.ts from src/index.ts.
 * Dependencies and peers stay external (tsup's default), so packages never bundle each other.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
    ...overrides,
  })
}
