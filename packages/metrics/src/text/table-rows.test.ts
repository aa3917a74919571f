import { describe, expect, it } from 'vitest'
import { MetricsInputError } from '../errors'
import { readTableRows, tableFormatOf } from './table-rows'

describe('readTableRows', () => {
  it('reads TSV with a byte-order mark and CRLF line ends, skipping blank lines', () => {
    const t = readTableRows('\uFEFFa\tb\r\n1\t2\r\n\r\n3\t4\r\n', { format: 'tsv', source: 'x.tsv' })
    expect(t.columns).toEqual(['a', 'b'])
    expect(t.rows).toEqual([
      { line: 2, fields: { a: '1', b: '2' } },
      { line: 4, fields: { a: '3', b: '4' } },
    ])
  })

  it('reads RFC 4180 CSV: quoted commas, doubled quotes and line breaks inside quotes, with the line each record starts on', () => {
    const t = readTableRows('name,text\nx,"a, ""quoted"" b"\ny,"two\nlines"\nz,plain\n', { format: 'csv', source: 'x.csv' })
    expect(t.rows.map((r) => [r.line, r.fields.text])).toEqual([
      [2, 'a, "quoted" b'],
      [3, 'two\nlines'],
      [5, 'plain'],
    ])
  })

  it('refuses a row with the wrong number of fields, naming file and line', () => {
    const read = () => readTableRows('a\tb\n1\t2\n3\n', { format: 'tsv', source: 'j.tsv' })
    expect(read).toThrow(MetricsInputError)
    expect(read).toThrow('j.tsv:3: has 1 fields, the header has 2')
  })

  it('counts malformed rows in lenient mode instead of dropping them silently', () => {
    const t = readTableRows('a,b\n1,2\n3\n"x"y,4\n5,6\n', { format: 'csv', source: 'j.csv', lenient: true })
    expect(t.rows.map((r) => r.fields.a)).toEqual(['1', '5'])
    expect(t.rejected).toEqual([
      { where: 'j.csv:3', reason: 'has 1 fields, the header has 2' },
      { where: 'j.csv:4', reason: 'has characters after a closing quote (a quote inside a field must be doubled)' },
    ])
  })

  it('refuses an unclosed CSV quote even in lenient mode (the rest of the file cannot be trusted)', () => {
    expect(() => readTableRows('a,b\n1,"open\n2,3\n', { format: 'csv', source: 'q.csv', lenient: true })).toThrow('q.csv:2: a quoted CSV field is never closed')
  })

  it('reads JSON lines, refusing a line that is not an object', () => {
    const ok = readTableRows('{"a":1,"b":"x"}\n\n{"a":2}\n', { format: 'jsonl', source: 'j.jsonl' })
    expect(ok.rows).toEqual([
      { line: 1, fields: { a: 1, b: 'x' } },
      { line: 3, fields: { a: 2 } },
    ])
    expect(() => readTableRows('{"a":1}\n[1]\n', { format: 'jsonl', source: 'j.jsonl' })).toThrow('j.jsonl:2: is not a JSON object')
    expect(() => readTableRows('{"a":1}\n{oops\n', { format: 'jsonl', source: 'j.jsonl' })).toThrow(/j\.jsonl:2: is not valid JSON/)
  })

  it('refuses an empty file and a header with repeated or empty names', () => {
    expect(() => readTableRows('', { format: 'tsv', source: 'e.tsv' })).toThrow('e.tsv: the file is empty')
    expect(() => readTableRows('a\ta\n', { format: 'tsv', source: 'h.tsv' })).toThrow('h.tsv:1: the header names the column "a" twice')
    expect(() => readTableRows('a\t\n', { format: 'tsv', source: 'h.tsv' })).toThrow('h.tsv:1: the header has an empty column name')
  })

  it('picks the format from the extension', () => {
    expect(['a.csv', 'a.CSV', 'a.jsonl', 'a.ndjson', 'a.tsv', 'a.txt'].map(tableFormatOf)).toEqual(['csv', 'csv', 'jsonl', 'jsonl', 'tsv', 'tsv'])
  })
})
