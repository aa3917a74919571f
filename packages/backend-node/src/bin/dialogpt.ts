#!/usr/bin/env node
import { main } from '../cli/main'
import { guardStandardStreams } from '../cli/stdio'

guardStandardStreams('dialogpt')
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
