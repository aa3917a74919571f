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
