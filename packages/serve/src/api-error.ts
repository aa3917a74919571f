/** An error answered in OpenAI's shape: `{ error: { message, type, param, code } }` with an HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
    /** The request field at fault, when there is one (`messages`, `max_tokens`, …). */
    readonly param: string | null = null,
    readonly type: 'invalid_request_error' | 'authentication_error' | 'server_error' | 'overloaded_error' = status === 401 ? 'authentication_error' : status >= 500 ? (status === 503 ? 'overloaded_error' : 'server_error') : 'invalid_request_error',
    readonly code: string | null = null,
  ) {
    super(message)
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }
  }
}
