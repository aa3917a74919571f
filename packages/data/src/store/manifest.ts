/** The store's format name and version, in `manifest.json`. */
export const STORE_FORMAT = 'dialogpt-token-store'
export const STORE_VERSION = 1

/** `manifest.json`: written last, so a store without one (or with `complete: false`) is not a store. */
export interface StoreManifest {
  format: typeof STORE_FORMAT
  version: typeof STORE_VERSION
  complete: true
  /** Element type of the shards: uint16 (label -1 stored as 65535) when every id < 65535, else int32. */
  dtype: 'uint16' | 'int32'
  examples: number
  /** Sum of example lengths. */
  tokens: number
  /** Sum of labelled positions. */
  labelledTokens: number
  index: { file: string; bytes: number; sha256: string }
  shards: { file: string; bytes: number; sha256: string; examples: number }[]
  /** Free-form description of how the store was built (options, filter report, ...). */
  meta: Record<string, unknown>
}

/**
 * `index.bin`: four little-endian uint32 per example — shard number, offset in elements into the
 * shard, length (positions), CRC-32 of the example's bytes (ids then labels).
 */
export const INDEX_FIELDS = 4
