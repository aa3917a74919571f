/**
 * @packageDocumentation
 * `@dialogpt/core/node`: the Node side of `@dialogpt/core`. Importing it makes {@link nodeStorage}
 * (Node's file system, with Hugging Face Hub downloads into the standard cache) the default
 * storage, so `loadGPT2`, `DialoGPT.fromPretrained`, `saveGPT2` and the `Trainer`'s checkpoints
 * work with local paths and Hub ids. `@dialogpt/backend-node` imports it for you.
 */
import { setDefaultStorage } from './io/storage'
import { nodeStorage } from './node/node-storage'

setDefaultStorage(nodeStorage)

export { nodeStorage } from './node/node-storage'
export { resolveModelFiles, WEIGHT_FILES } from './node/resolve-model'
export { hubFile } from './hub/download'
export { defaultHubCacheDir, repoFolder } from './hub/cache-layout'
export { nodeQuantWorker } from './node/quant-worker'
