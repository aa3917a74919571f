#!/usr/bin/env node
// The `dialogpt-eval` command: a launcher that exists before the package is built, so that package
// managers link it at install time (in a clone, `pnpm build` then `pnpm exec dialogpt-eval` works).
import('../dist/dialogpt-eval.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/dialogpt-eval.js')) {
    process.stderr.write('dialogpt-eval: @dialogpt/metrics is not built yet: run `pnpm build` in the repository first\n')
    process.exit(1)
  }
  throw error
})
