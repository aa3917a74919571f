import { defineConfig } from 'vitest/config'

const packages = ['core', 'data', 'decode', 'metrics', 'serve', 'backend-node', 'backend-web']

/**
 * The one shared test config. Tests sit beside the code (`src/x.test.ts`) and import
 * sibling packages through the `@dialogpt/source` export condition, so they run on
 * source; `test/` at the root checks the built output.
 * Run one package with `pnpm test:only --project metrics`.
 */
export default defineConfig({
  resolve: { conditions: ['@dialogpt/source'] },
  ssr: { resolve: { conditions: ['@dialogpt/source'] } },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    // No test's outcome may depend on how fast or busy the machine is: no time limits short enough
    // to matter (a stuck test still ends with CI's own limit). Speed is measured by `pnpm bench`.
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'html'],
    },
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`] },
      })),
      { extends: true as const, test: { name: 'repo', include: ['test/**/*.test.ts'] } },
    ],
  },
})
