import { parseArgs } from 'node:util'
import { dstcEvaluate, type DstcEvaluation } from '../dstc-evaluate'
import { formatMteval } from '../mteval/format'
import { runCorrelateCli, runHumanCli } from './human-cli'
import { jsonText } from './json-text'
import { meteorResourcesFor, parseMeteorModules } from './meteor-flags'
import { readCorpus } from './read-corpus'

export const EVAL_USAGE = `Usage: dialogpt-eval --hyp HYP.txt --ref REF0.txt [--ref REF1.txt ...] [options]
       dialogpt-eval human ...       human judgments: rankings, significance, agreement (--help for more)
       dialogpt-eval correlate ...   automatic metrics against human judgments (--help for more)

Scores one response per line against one or more reference files (one reference per line,
parallel to the hypotheses), as DialoGPT's DSTC-7 evaluation does.

Options:
  --clean                      apply DialoGPT's clean_str to hypotheses and references first
  --case-sensitive             mteval's -c (keep case for BLEU and NIST)
  --meteor-modules LIST        comma-separated: exact,stem,synonym (default), or none to skip METEOR
  --meteor-data DIR            directory holding METEOR's english.words/.prefixes/.synsets/.exceptions
  --meteor-cache DIR           where to download METEOR's data when --meteor-data is not given
  --meteor-url URL             base URL to download METEOR's resources from (METEOR's resources/ layout)
  --json                       print the full-precision result object instead of the table
  -h, --help                   this text
`

/** Where the CLI writes. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/**
 * `dialogpt-eval`, callable in-process. Returns the exit code: 0 on success, 1 for bad input or
 * missing data, 2 for bad usage.
 */
export async function runEvalCli(argv: string[], io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Promise<number> {
  if (argv[0] === 'human') return runHumanCli(argv.slice(1), io)
  if (argv[0] === 'correlate') return runCorrelateCli(argv.slice(1), io)
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        hyp: { type: 'string' },
        ref: { type: 'string', multiple: true },
        clean: { type: 'boolean', default: false },
        'case-sensitive': { type: 'boolean', default: false },
        'meteor-modules': { type: 'string', default: 'exact,stem,synonym' },
        'meteor-data': { type: 'string' },
        'meteor-cache': { type: 'string' },
        'meteor-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    io.stderr(`dialogpt-eval: ${(error as Error).message}\n\n${EVAL_USAGE}`)
    return 2
  }
  if (values.help) {
    io.stdout(EVAL_USAGE)
    return 0
  }
  if (!values.hyp || !values.ref?.length) {
    io.stderr(`dialogpt-eval: --hyp and at least one --ref are required\n\n${EVAL_USAGE}`)
    return 2
  }
  const meteorChoice = parseMeteorModules(values['meteor-modules'])
  if (typeof meteorChoice === 'object' && 'unknown' in meteorChoice) {
    io.stderr(`dialogpt-eval: --meteor-modules: unknown module ${meteorChoice.unknown}; use exact, stem, synonym, paraphrase or none\n`)
    return 2
  }
  try {
    const { hypotheses, references } = await readCorpus(values.hyp, values.ref)
    const resources = meteorChoice === 'none' ? undefined : await meteorResourcesFor(values)
    const result = dstcEvaluate({
      hypotheses,
      references,
      clean: values.clean,
      caseSensitive: values['case-sensitive'],
      meteor: resources && meteorChoice !== 'none' ? { resources, modules: meteorChoice.modules } : false,
    })
    io.stdout(values.json ? jsonText(result) : formatTable(result))
    return 0
  } catch (error) {
    io.stderr(`dialogpt-eval: ${(error as Error).message}\n`)
    return 1
  }
}

/** The paper's table: NIST-2, NIST-4, BLEU-2, BLEU-4, METEOR, Entropy-4, Dist-1, Dist-2, Avg len. */
export function formatTable(r: DstcEvaluation): string {
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`)
  const cells: [string, string][] = [
    ['NIST-2', formatMteval(r.nist[1])],
    ['NIST-4', formatMteval(r.nist[3])],
    ['BLEU-2', pct(r.bleu[1])],
    ['BLEU-4', pct(r.bleu[3])],
    ['METEOR', pct(r.meteor)],
    ['Entropy-4', r.entropy[3].toFixed(4)],
    ['Dist-1', pct(r.dist[0])],
    ['Dist-2', pct(r.dist[1])],
    ['Avg len', r.avgLen.toFixed(2)],
  ]
  const widths = cells.map(([h, v]) => Math.max(h.length, v.length))
  const row = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()
  return `${row(cells.map((c) => c[0]))}\n${row(cells.map((c) => c[1]))}\n`
}
