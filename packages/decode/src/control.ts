/** Checks for an abort between steps: throws the signal's reason (an `AbortError` by default). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('generation was aborted', 'AbortError')
}

/** A deadline from `maxTime` seconds. */
export function deadline(maxTime: number | undefined): () => boolean {
  if (maxTime === undefined) return () => false
  const end = performance.now() + maxTime * 1000
  return () => performance.now() >= end
}

let channel: MessageChannel | undefined
const waiting: (() => void)[] = []

/**
 * Waits for one turn of the event loop (a macrotask), so that timers and I/O run between decoding
 * steps: without it, a step loop whose awaits all resolve as microtasks (tfjs's `data()` on the
 * cpu and wasm backends) never lets `AbortSignal.timeout(...)` or a `setTimeout` abort fire, and
 * a server could not serve another request. Node: `setImmediate`; browsers: a `MessageChannel`
 * message (not `setTimeout(0)`, which browsers clamp to 4 ms when nested).
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve))
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel()
      channel.port1.onmessage = () => waiting.shift()?.()
    }
    const port = channel.port2
    return new Promise((resolve) => {
      waiting.push(resolve)
      port.postMessage(null)
    })
  }
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** Yields to the event loop, then throws if `signal` was aborted meanwhile. */
export async function checkpointStep(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop()
  throwIfAborted(signal)
}
