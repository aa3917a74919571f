/** Left-pads prompts to one length with `pad`, and the matching attention mask. */
export function leftPad(prompts: readonly (readonly number[])[], pad: number): { ids: number[][]; mask: number[][]; length: number } {
  const length = Math.max(...prompts.map((p) => p.length))
  return {
    ids: prompts.map((p) => [...new Array<number>(length - p.length).fill(pad), ...p]),
    mask: prompts.map((p) => [...new Array<number>(length - p.length).fill(0), ...new Array<number>(p.length).fill(1)]),
    length,
  }
}
