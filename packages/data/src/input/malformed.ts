/** A line that is not a usable record: counted and reported, never fatal. */
export interface MalformedLine {
  file: string
  line: number
  reason: string
}
