/** A download's progress, reported as bytes arrive. */
export interface DownloadProgress {
  repo: string
  file: string
  loaded: number
  /** Total bytes, from the Hub's size information. */
  total: number
  /** True for the final event of a file, also when it came from the cache. */
  done: boolean
  fromCache: boolean
}

export interface HubOptions {
  /** Branch, tag or commit (a safe ref name: `main`, `v1.0`, `refs/pr/3`, a 40-hex commit). Default `main`. */
  revision?: string
  /** Cache root (Hugging Face layout). Default: `defaultHubCacheDir()` from `@dialogpt/core/node` (`HF_HUB_CACHE`, else `HF_HOME/hub`, else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`). */
  cacheDir?: string
  /** Use only what is cached; never touch the network. */
  localFilesOnly?: boolean
  onProgress?: (event: DownloadProgress) => void
  signal?: AbortSignal
  /** Hub endpoint. Default `https://huggingface.co` (or `HF_ENDPOINT`). */
  hubUrl?: string
  accessToken?: string
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch
  /**
   * Milliseconds without any progress — no connection, no headers, no body bytes — before a
   * request fails with a `timeout` {@link HubError}. Default 30 000 (or `HF_HUB_DOWNLOAD_TIMEOUT`
   * seconds, as Python's client reads it).
   */
  timeoutMs?: number
}
