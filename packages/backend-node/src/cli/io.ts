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

/** A flag's value when it is one of `allowed` (undefined when the flag is absent). */
export function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value !== undefined && !allowed.includes(value as T)) throw new UsageError(`--${name} must be ${allowed.join(', ')}; got '${value}'`)
  return value as T | undefined
}

type StringOptions<S extends string> = { [K in S]: { type: 'string' } }
type BooleanOptions<B extends string> = { [K in B]: { type: 'boolean' } }

/**
 * A `node:util` `parseArgs` options table from the names of the flags that take a value and of
 * those that do not; every command also gets `--help` / `-h`.
 */
export function flagTable<S extends string, B extends string>(strings: readonly S[], booleans: readonly B[]): StringOptions<S> & BooleanOptions<B> & { help: { type: 'boolean'; short: 'h' } } {
  const table: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } }
  for (const name of strings) table[name] = { type: 'string' }
  for (const name of booleans) table[name] = { type: 'boolean' }
  return table as StringOptions<S> & BooleanOptions<B> & { help: { type: 'boolean'; short: 'h' } }
}

/** The flags that say where a model comes from (a folder or a Hub id), shared by every command that loads one. */
export const MODEL_SOURCE_FLAGS = ['model', 'revision', 'cache-dir'] as const
