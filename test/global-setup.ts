import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

/** Generates what the tests import but git does not hold (tfjs-core's bundled gradients). */
export default function setup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'bundle-tfjs-gradients.mjs')], { stdio: 'inherit' })
}
