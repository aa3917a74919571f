/**
 * A file-system error with the path in its message. Node names the path for `open` or `rename`
 * but not for a `write` on an open handle: "ENOSPC: no space left on device, write" says nothing of
 * which file. `code`, `errno` and `syscall` are kept, so callers can still test for ENOSPC.
 */
export function withPath(error: unknown, path: string): Error {
  const e = error as NodeJS.ErrnoException
  if (typeof e?.message !== 'string' || e.message.includes(path)) return e as Error
  const out = new Error(`${path}: ${e.message}`, { cause: error }) as NodeJS.ErrnoException
  out.code = e.code
  out.errno = e.errno
  out.syscall = e.syscall
  out.path = path
  return out
}
