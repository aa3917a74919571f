#!/usr/bin/env node
import { runEvalCli } from '../node/eval-cli'

runEvalCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
