/**
 * The original extractor's `gpt_norm_sentence`, the normalisation of training text:
 * 1. words starting with `#` are dropped; in a word containing `http` (any case), everything from
 *    there on becomes ` __url__`;
 * 2. `\` is deleted; `b/c` → `because`, `j/k` → `just kidding`, `w/o` → `without`, then `w/` → `with`;
 * 3. apart from `__mention__` / `__url__`, every character outside `A-Za-z0-9()[]:,.!?'“”` becomes a space;
 * 4. NLTK's `TweetTokenizer(preserve_case=True)` splits off punctuation; whitespace is collapsed.
 *
 * Step 4 is NLTK's tokenizer reduced to the alphabet step 3 leaves (as `@dialogpt/metrics` does for
 * `clean_str`): domains, phone numbers, emoticons, words with inner `'`, numbers with one
 * separator, other word runs, ellipses, and any other character alone.
 */
export function gptNormSentence(text: string): string {
  const words = text
    .split(/\s+/)
    .filter((w) => w && !w.startsWith('#'))
    .map((w) => {
      const at = w.toLowerCase().indexOf('http')
      return at >= 0 ? `${w.slice(0, at)} __url__` : w
    })
  let s = words.join(' ')
  s = s.replace(/\\/g, '').replace(/b\/c/g, 'because').replace(/j\/k/g, 'just kidding').replace(/w\/o/g, 'without').replace(/w\//g, 'with')
  s = s
    .split(/(__mention__|__url__)/)
    .map((part, i) => (i % 2 === 1 ? ` ${part} ` : part.replace(/[^A-Za-z0-9()[\]:,.!?'“” ]/g, ' ')))
    .join('')
  return tweetTokenizeCased(s).join(' ')
}

const HANG = /([^a-zA-Z0-9])\1{3,}/g

const TOKEN = new RegExp(
  [
    String.raw`[a-z0-9]+(?:\.[a-z0-9]+)*\.[a-z]{2,13}\b`,
    String.raw`(?:[01][ .)]*)?(?:\(?\d{3}[ .)]*)?\d{3}[ .)]*\d{4}`,
    String.raw`[:8][o']?[)\](\[dp:]|[)\](\[dp:][o']?[:8]`,
    String.raw`[a-z](?:[a-z]|['_])+[a-z]`,
    String.raw`\d+[,.:]\d+`,
    String.raw`\w+`,
    String.raw`\.(?:\s*\.)+`,
    String.raw`\S`,
  ].join('|'),
  'gi',
)

/** NLTK `TweetTokenizer(preserve_case=True)` on the alphabet {@link gptNormSentence} leaves. */
export function tweetTokenizeCased(text: string): string[] {
  return text.replace(HANG, '$1$1$1').match(TOKEN) ?? []
}
