/** A model cannot run on the chosen backend: the message says why and what to do instead. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError'
  constructor(
    message: string,
    /** Bytes the model would need on the backend (an estimate). */
    readonly neededBytes: number,
    /** What the backend can hold. */
    readonly limitBytes: number,
  ) {
    super(message)
  }
}
