import { MetricsInputError } from '../errors'

/** Options of {@link dstcReferenceSets}. */
export interface DstcReferenceOptions {
  /** Reference files to write: `dstc.py`'s `n_refs`. Default 6. */
  nRefs?: number
  /**
   * Index of the held-out human response among each instance's references, which is replaced by
   * the next reference (`dstc.py --vshuman`, default 1, which the official evaluation always
   * applies). `false` keeps every reference, as when scoring against all of them.
   */
  vshuman?: number | false
}

/**
 * DSTC-7's multi-reference preparation (`dstc.py`'s `extract_hyp_refs`): from each instance's
 * list of references, `nRefs` parallel reference sets, set `i` taking reference `i mod len`; when
 * that index is `vshuman` it takes the next one (`(vshuman + 1) mod len`) instead, which drops the
 * human response for every system and repeats another reference. Instances with one reference use
 * it everywhere.
 */
export function dstcReferenceSets(referencesPerInstance: readonly (readonly string[])[], options: DstcReferenceOptions = {}): string[][] {
  const nRefs = options.nRefs ?? 6
  const vshuman = options.vshuman ?? 1
  if (!Number.isInteger(nRefs) || nRefs < 1) throw new MetricsInputError(`must be a positive integer, got ${nRefs}`, 'nRefs')
  if (vshuman !== false && (!Number.isInteger(vshuman) || vshuman < 0)) throw new MetricsInputError(`must be a non-negative integer or false, got ${vshuman}`, 'vshuman')
  const sets = Array.from({ length: nRefs }, () => new Array<string>(referencesPerInstance.length))
  referencesPerInstance.forEach((refs, k) => {
    if (refs.length === 0) throw new MetricsInputError('has no references', `references[${k}]`)
    for (let i = 0; i < nRefs; i++) {
      let idx = i % refs.length
      if (vshuman !== false && idx === vshuman) idx = (idx + 1) % refs.length
      sets[i]![k] = refs[idx]!
    }
  })
  return sets
}
