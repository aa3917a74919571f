/**
 * @packageDocumentation
 * `@dialogpt/data/node`: the file-system side of `@dialogpt/data` — the lazy-loading token store.
 */
export { StoreWriter, writeStore, type StoreWriterOptions } from './store/store-writer'
export { TokenStore } from './store/token-store'
export { StoreError, type StoreErrorCode } from './store/store-error'
export { STORE_FORMAT, STORE_VERSION, type StoreManifest } from './store/manifest'
