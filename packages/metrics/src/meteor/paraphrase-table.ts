import { javaTokenize } from './java-string'

interface State {
  next: Map<number, State>
  emit: number[]
}

/**
 * METEOR's paraphrase table (`paraphrase-en.gz`, decompressed): groups of three lines — a
 * probability (unused, as METEOR does), a phrase, and one of its paraphrases. Phrases are kept in
 * a word trie so every phrase starting at a position is found in one walk.
 */
export class ParaphraseTable {
  private readonly vocabulary = new Map<string, number>()
  private readonly root: State = { next: new Map(), emit: [] }
  private readonly paraphrases: number[][] = []

  constructor(text: string) {
    const lines = text.split(/\r\n|\r|\n/)
    for (let i = 0; i + 2 < lines.length; i += 3) {
      const phrase = javaTokenize(lines[i + 1]!).map((w) => this.id(w))
      const paraphrase = javaTokenize(lines[i + 2]!).map((w) => this.id(w))
      let state = this.root
      for (const w of phrase) {
        let next = state.next.get(w)
        if (!next) state.next.set(w, (next = { next: new Map(), emit: [] }))
        state = next
      }
      state.emit.push(this.paraphrases.length)
      this.paraphrases.push(paraphrase)
    }
  }

  /** Number of phrase → paraphrase entries. */
  get size(): number {
    return this.paraphrases.length
  }

  /** Word ids of a token list (-1 for words the table does not know). */
  ids(words: readonly string[]): number[] {
    return words.map((w) => this.vocabulary.get(w) ?? -1)
  }

  /** Every table phrase that starts at `start`: its length and its paraphrase's word ids. */
  phrasesAt(words: readonly number[], start: number): { length: number; paraphrase: number[] }[] {
    const out: { length: number; paraphrase: number[] }[] = []
    let state: State | undefined = this.root
    for (let i = 0; start + i < words.length; i++) {
      state = state.next.get(words[start + i]!)
      if (!state) break
      for (const e of state.emit) out.push({ length: i + 1, paraphrase: this.paraphrases[e]! })
    }
    return out
  }

  private id(word: string): number {
    let id = this.vocabulary.get(word)
    if (id === undefined) this.vocabulary.set(word, (id = this.vocabulary.size))
    return id
  }
}
