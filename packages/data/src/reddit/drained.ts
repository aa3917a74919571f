import type { Writable } from 'node:stream'

/** Resolves when `stream` drains after a `write` returned false; rejects with its error if it fails first. */
export function drained(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      stream.off('drain', onDrain)
      reject(error)
    }
    stream.once('drain', onDrain)
    stream.once('error', onError)
  })
}
