/** Why quantizing or loading quantized weights failed. */
export type QuantizationErrorCode = 'not-finite' | 'out-of-range' | 'bad-tensor' | 'dtype-mismatch' | 'not-float'

/** Thrown for weights that cannot be quantized or a quantized checkpoint that cannot be used as asked; names the tensor. */
export class QuantizationError extends Error {
  readonly code: QuantizationErrorCode
  readonly tensor: string | undefined
  /** The checkpoint file, when the error came from reading one. */
  readonly file: string | undefined

  constructor(code: QuantizationErrorCode, message: string, tensor?: string, file?: string) {
    super(file ? `${file}: ${message}` : message)
    this.name = 'QuantizationError'
    this.code = code
    this.tensor = tensor
    this.file = file
  }

  /** The same error naming the file it came from. */
  withFile(file: string): QuantizationError {
    return this.file ? this : new QuantizationError(this.code, this.message, this.tensor, file)
  }
}
