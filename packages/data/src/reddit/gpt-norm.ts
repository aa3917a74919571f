import { tweetTokenize } from '@dialogpt/metrics'

/**
 * The original extractor's `gpt_norm_sentence`, the normalisation of training text:
 * 1. words starting with `#` are dropped; in a word containing `http` (any case), everything from
 *    there on becomes ` __url__`;
 * 2. `\` is deleted; `b/c` → `because`, `j/k` → `just kidding`, `w/o` → `without`, then `w/` → `with`;
 * 3. apart from `__mention__` / `__url__`, every character outside `A-Za-z0-9()[]:,.!?'“”` becomes a space;
 * 4. NLTK's `TweetTokenizer(preserve_case=True)` splits off punctuation; whitespace is collapsed.
 *
 * Step 4 is `@dialogpt/metrics`' `tweetTokenize`, the one NLTK TweetTokenizer of the project (the
 * DSTC-7 evaluation's `clean_str` uses it too).
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
  return tweetTokenize(s).join(' ')
}
