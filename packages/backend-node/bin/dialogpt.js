#!/usr/bin/env node
// The `dialogpt` command: a launcher that exists before the package is built, so that package
// managers link it at install time (in a clone, `pnpm build` then `pnpm exec dialogpt` works).
import('../dist/dialogpt.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/dialogpt.js')) {
    process.stderr.write('dialogpt: @dialogpt/backend-node is not built yet: run `pnpm build` in the repository first\n')
    process.exit(1)
  }
  throw error
})
