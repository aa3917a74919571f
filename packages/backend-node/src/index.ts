/**
 * @packageDocumentation
 * `@dialogpt/backend-node`: importing it picks the best TensorFlow.js backend for Node —
 * `@tensorflow/tfjs-node-gpu` (CUDA), then `@tensorflow/tfjs-node`, then wasm, then cpu — or the
 * one in `DIALOGPT_BACKEND`. `await ready` (or `useBackend(name)`) before running a model, and
 * `describeBackend()` says what was chosen and why. It also provides the `dialogpt` command.
 */
import { selectBackend, type BackendReport } from './select-backend'

/** Resolves once the backend chosen on import is initialised (rejects if none could be). */
export const ready: Promise<BackendReport> = selectBackend()
// Failures surface where `ready` is awaited (or at first use); they must not crash the import.
ready.catch(() => undefined)

export { selectBackend, useBackend, describeBackend, NODE_BACKENDS, type BackendReport, type NodeBackendName, type ModuleLoader } from './select-backend'
