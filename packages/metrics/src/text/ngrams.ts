/**
 * Counts the n-grams of one order in a token list, as space-joined keys, in first-seen order.
 * (`Map` keeps insertion order, which is the order Python's dict iterates in.)
 */
export function countNgrams(tokens: readonly string[], n: number, into: Map<string, number> = new Map()): Map<string, number> {
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' ')
    into.set(key, (into.get(key) ?? 0) + 1)
  }
  return into
}

/**
 * Counts every n-gram of orders 1..maxOrder in a token list, keyed by the space-joined n-gram
 * (keys are built incrementally, one word at a time, which is much cheaper than slicing).
 */
export function countAllNgrams(tokens: readonly string[], maxOrder: number, into: Map<string, number> = new Map()): Map<string, number> {
  for (let i = 0; i < tokens.length; i++) {
    let key = tokens[i]!
    into.set(key, (into.get(key) ?? 0) + 1)
    for (let n = 2; n <= maxOrder && i + n <= tokens.length; n++) {
      key = `${key} ${tokens[i + n - 1]!}`
      into.set(key, (into.get(key) ?? 0) + 1)
    }
  }
  return into
}
