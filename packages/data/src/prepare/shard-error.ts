/**
 * What is wrong with a sharded preparation: `bad-shard` (an `I/N` that cannot be), `missing-shard`
 * (a shard whose phase has not finished, or whose files are gone), `mismatch` (shards of different
 * runs: other inputs, options or shard count), `damaged` (a shard file that does not read back).
 * `where` names the shard directory or the option.
 */
export type ShardErrorCode = 'bad-shard' | 'missing-shard' | 'mismatch' | 'damaged'

export class ShardError extends Error {
  override readonly name = 'ShardError'
  constructor(
    readonly code: ShardErrorCode,
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`)
  }
}
