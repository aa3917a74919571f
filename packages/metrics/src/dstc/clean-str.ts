import { pythonSplit } from '../text/python-split'
import { tweetTokenize } from '../text/tweet-tokenize'

const CONTRACTIONS = ["'s", "'m", "'re", "n't", "'ll", "'ve", "'d", "'em"]

/**
 * DialoGPT's `clean_str` (`dstc/tokenizers.py`, applied by `dstc.py --clean` to hypotheses and
 * references alike):
 *
 * 1. lower-case;
 * 2. every word containing `http` is cut there and gets ` __url__`;
 * 3. markdown links `[text] ( __url__ )` become `text`;
 * 4. every character outside `A-Z a-z 0-9 ( ) : , . ! ? " '` becomes a space (`__url__` survives);
 * 5. NLTK's TweetTokenizer, tokens joined by spaces;
 * 6. `won't` → `will n't`, `can't` → `can n't`, and `'s 'm 're n't 'll 've 'd 'em` split off;
 * 7. whitespace collapsed and trimmed.
 *
 * @example
 * ```ts
 * dstcCleanStr(" I don't know:). how about this?https://github.com")
 * // "i do n't know :) . how about this ? __url__"
 * ```
 */
export function dstcCleanStr(text: string): string {
  let txt = ` ${text.toLowerCase()} `
  txt = pythonSplit(txt)
    .map((word) => {
      const i = word.indexOf('http')
      return i >= 0 ? (word.slice(0, i) + ' __url__').trim() : word
    })
    .join(' ')
  txt = txt.replace(/\[([^\]]*)\] \( *__url__ *\)/g, '$1')
  txt = txt.replace(/__url__/g, 'URL')
  txt = txt.replace(/[^A-Za-z0-9():,.!?"']/gu, ' ')
  txt = txt.replace(/URL/g, '__url__')
  txt = ` ${tweetTokenize(txt).join(' ')} `
  txt = txt.split(" won't ").join(' will n\'t ')
  txt = txt.split(" can't ").join(' can n\'t ')
  for (const a of CONTRACTIONS) txt = txt.split(`${a} `).join(` ${a} `)
  return txt.trim().replace(/\s+/g, ' ')
}
