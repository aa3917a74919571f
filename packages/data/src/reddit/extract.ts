import type { RedditComment } from './comment'

/**
 * The original extractor's `minimal_norm_sentence`: backslashes deleted, newlines, carriage returns
 * and tabs turned into spaces.
 */
export function minimalNormSentence(text: string): string {
  return text.replace(/\\/g, '').replace(/[\n\r\t]/g, ' ')
}

/**
 * The original's comment-level rules, applied before trees are built (a dropped comment is absent
 * from its tree, so chains through it break): `[deleted]` (and `[removed]`) bodies, quoting
 * comments (`>` or `&gt;`), and bodies of fewer than 2 words after {@link minimalNormSentence}.
 */
export function commentRule(comment: RedditComment): { keep: true } | { keep: false; reason: 'deleted' | 'quote' | 'too-few-words' } {
  const body = comment.body.trim()
  if (body === '[deleted]' || body === '[removed]') return { keep: false, reason: 'deleted' }
  if (comment.body.includes('>') || comment.body.includes('&gt;')) return { keep: false, reason: 'quote' }
  // fewer than 2 words after minimalNormSentence (\n \r \t are whitespace already), without splitting
  if (!/\S\s+\S/.test(comment.body.includes('\\') ? comment.body.replace(/\\/g, '') : comment.body)) return { keep: false, reason: 'too-few-words' }
  return { keep: true }
}
