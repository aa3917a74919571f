/** Where a command writes; injectable so the commands run in-process in tests. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
}

/** A usage error: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export function numberFlag(value: string | undefined, name: string, check: (n: number) => boolean = () => true): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: '${value}' is not a valid value`)
  return n
}

export function intFlag(value: string | undefined, name: string, min = 0): number | undefined {
  return numberFlag(value, name, (n) => Number.isInteger(n) && n >= min)
}
