import type { GPT2Config } from './config'
import type { Dropout } from './ops'

/** Where the network applies dropout (GPT-2's three rates cover them). */
export type DropoutSite = 'embd' | 'attn-probs' | 'attn-out' | 'mlp-out'

const SITE_INDEX: Record<DropoutSite, number> = { embd: 0, 'attn-probs': 1, 'attn-out': 2, 'mlp-out': 3 }

/** A distinct 32-bit seed for every (seed, layer, site): an integer hash, so nearby seeds give unrelated masks. */
export function mixSeed(seed: number, layer: number, site: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(layer + 2, 0xc2b2ae35) ^ Math.imul(site + 1, 0x27d4eb2f)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The dropout of each site for one forward pass (layer -1 is the embeddings), or undefined when it has none. */
export function dropoutSites(c: GPT2Config, seed: number | undefined): ((layer: number, site: DropoutSite) => Dropout | undefined) | undefined {
  if (seed === undefined) return undefined
  const rates: Record<DropoutSite, number> = { embd: c.embd_pdrop, 'attn-probs': c.attn_pdrop, 'attn-out': c.resid_pdrop, 'mlp-out': c.resid_pdrop }
  return (layer, site) => (rates[site] > 0 ? { rate: rates[site], seed: mixSeed(seed, layer, SITE_INDEX[site]) } : undefined)
}
