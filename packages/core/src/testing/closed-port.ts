import { createServer } from 'node:http'

/** A port on 127.0.0.1 that nothing listens on (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const a = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return typeof a === 'object' && a ? a.port : 0
}
