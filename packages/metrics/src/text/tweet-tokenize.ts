/**
 * NLTK's `TweetTokenizer`, written for the text both DialoGPT pipelines give it: `clean_str` (the
 * DSTC-7 evaluation, lower-cased) leaves `a-z 0-9 ( ) : , . ! ? " '`, spaces and `__url__`;
 * `gpt_norm_sentence` (the training data, case kept) leaves `A-Za-z0-9 ( ) [ ] : , . ! ? ' “ ”`,
 * spaces, `__url__` and `__mention__`. On that alphabet the tokenizer's rules reduce to the
 * alternatives below, tried in this order at each position (first match wins, as in Python's `regex`):
 *
 * 1. a bare domain (`hello.world`, `e.go`): letters/digits, dot-separated, ending in a 2–13 letter
 *    label and a word boundary;
 * 2. a phone number: optional `0`/`1` prefix, optional 3-digit area code (optionally after `(`),
 *    3 digits, 4 digits, with runs of space, `.` or `)` between the groups;
 * 3. an emoticon: eyes `:`/`8`, optional nose `o`/`'`, mouth `) ] ( [ d p :` — or mouth, nose, eyes;
 * 4. a word of 3+ letters whose inner characters may be `'` or `_`;
 * 5. a number with one `, . :` inside;
 * 6. a run of letters, digits and `_`;
 * 7. an ellipsis: `.` followed by one or more `.` (spaces allowed between them);
 * 8. any other single non-space character.
 *
 * Before matching, any run of 4+ identical non-alphanumeric characters is cut to 3. Matching
 * ignores case, so the tokens keep the text's case (`preserve_case=True`; `clean_str` lower-cases
 * first). Any other input is accepted, but only this alphabet is guaranteed to tokenize like NLTK.
 */
export function tweetTokenize(text: string): string[] {
  return text.replace(HANG, '$1$1$1').match(TOKEN) ?? []
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
