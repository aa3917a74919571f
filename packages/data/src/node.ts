/**
 * @packageDocumentation
 * `@dialogpt/data/node`: the file-system side of `@dialogpt/data` — the lazy-loading token store,
 * streaming readers for Reddit dumps (zstd, bzip2, xz, gzip, plain; BigQuery rows), grouping by
 * thread with spill to disk, and `prepareStore`, the whole pipeline from dumps to a store with a
 * filter report.
 */
export { StoreWriter, writeStore, type StoreWriterOptions } from './store/store-writer'
export { TokenStore } from './store/token-store'
export { exportStoreJsonl, jsonlShardName, type ExportJsonlOptions, type JsonlExport } from './store/export-jsonl'
export { StoreError, type StoreErrorCode } from './store/store-error'
export { STORE_FORMAT, STORE_VERSION, type StoreManifest } from './store/manifest'
export { readDump, readDumpLines, readDumpLineBatches, detectCompression, type Compression, type DumpLine } from './input/open-dump'
export { readComments, readCommentBatches, type MalformedLine, type ReadCounts, type ReadOwnership } from './reddit/read-comments'
export { groupByThread, type GroupOptions } from './reddit/group-threads'
export { DumpError, type DumpErrorCode } from './input/dump-error'
export { prepareSessions } from './prepare/prepare'
export {
  prepareShard,
  finishShard,
  mergeStores,
  shardDir,
  type PrepareShardOptions,
  type FinishShardOptions,
  type MergeStoresOptions,
  type ShardPhase1,
} from './prepare/sharded-prepare'
export { parseShard, shardPartitions, type ShardSpec } from './prepare/shard-spec'
export { ShardError, type ShardErrorCode } from './prepare/shard-error'
export { prepareStore, type PrepareStoreOptions } from './prepare/prepare-store'
export { paperFilters, type PrepareOptions, type PreparedSession, type FilterOptions, type InputFormat } from './prepare/prepare-options'
export { detectInputFormat } from './input/input-format'
export { readDumpText } from './input/open-dump'
