import { createHash, timingSafeEqual } from 'node:crypto'

/** Whether the `Authorization` header carries `Bearer <key>`, compared in constant time (on SHA-256 digests, so the length leaks nothing either). */
export function hasApiKey(header: string | undefined, key: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? ''
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(given), digest(key)) && given.length > 0
}
