/**
 * Makes a failed write to standard output or standard error a clean one-line message and a
 * non-zero exit, instead of an unhandled stream error with a stack trace (`dialogpt backend >
 * /dev/full` used to die with exit 7 inside tfjs-wasm's exception handler). A reader that goes
 * away (`dialogpt … | head`, EPIPE) ends the program quietly.
 */
export function guardStandardStreams(program: string): void {
  const guard = (stream: NodeJS.WriteStream, label: string) =>
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
      if (stream !== process.stderr) {
        try {
          process.stderr.write(`${program}: cannot write to ${label}: ${error.message.replace(/, write$/, '')}\n`)
        } catch {
          // standard error is gone too: the exit status is all that is left
        }
      }
      process.exit(1)
    })
  guard(process.stdout, 'standard output')
  guard(process.stderr, 'standard error')
}
