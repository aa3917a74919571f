import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DSTC7_POOLED_SYSTEMS, DSTC7_RELEASE_FILES, readDstc7References, readDstc7ReleasedScores, readDstc7Responses } from '../human/dstc7-release'
import { evaluateHumanJudgments } from '../human/evaluate-human'
import { readLikertJudgments, readPairwiseJudgments } from '../human/judgments'
import { ALL_CRITERIA } from '../human/likert'
import { metricHumanAgreement } from '../human/metric-agreement'
import { humanEvaluationCsv, humanEvaluationMarkdown, metricAgreementCsv, metricAgreementMarkdown } from '../human/report'
import { intervalChartSvg, scatterChartSvg } from '../human/svg-chart'
import { type TableFormat, tableFormatOf } from '../text/table-rows'
import type { CliIo } from './eval-cli'
import { jsonText } from './json-text'
import { meteorResourcesFor, parseMeteorModules } from './meteor-flags'
import { readTextFile } from './read-lines'

export const HUMAN_USAGE = `Usage: dialogpt-eval human (--likert FILE | --pairwise FILE)... [options]

Rankings with bootstrap intervals and significance (the paper's Tables 7 and 8), and agreement
between judges, from per-judge judgments in TSV, CSV or JSON lines.

  --likert FILE            Likert ratings: judge, item, system and either criterion + rating, or one
                           column per criterion (DSTC-7's per-judge file is read as released)
  --pairwise FILE          pairwise choices: system_a, system_b, judge, item, criterion, choice (A|B|neutral)
  --format tsv|csv|jsonl   the files' format (default: from the extension; TSV otherwise)
  --scale MIN,MAX          refuse ratings outside this range (e.g. 1,5)
  --lenient                count malformed rows and go on, instead of refusing the file
  --repeats keep|refuse    a judge's second judgment of the same item and system(s): keep both and
                           report them (default), or refuse the file
  --iterations N           bootstrap resamples (default 10000)
  --seed N                 bootstrap seed (default 1)
  --confidence X           interval coverage (default 0.95)
  --alpha X                significance level of the ranking (default 0.05)
  --ties none|half         how a neutral choice counts in each system's mean (default none)
  --first SYSTEM           show this system as system A of its pairs (repeatable, in priority order)
  --dstc7-released FILE    also recompute DSTC-7's released per-instance scores and list differences
  --output md|csv|json     (default md)
  --svg FILE               write a chart of each system's mean and interval
  -h, --help
`

export const CORRELATE_USAGE = `Usage: dialogpt-eval correlate (--dstc7 DIR | --judgments FILE --references FILE --responses FILE) [options]

Scores every system with BLEU, NIST, METEOR, Entropy, Dist-n and length (DSTC-7's multi-reference
preparation: references cycled to --n-refs sets, the human response dropped) and correlates each
metric with the judges' mean rating: Pearson, Spearman and Kendall, with bootstrap intervals, per
system and per response.

  --dstc7 DIR              the DSTC-7 Task 2 human-evaluation release (its four .tsv files)
  --judgments FILE         Likert judgments (as for \`human\`)
  --references FILE        InstanceID, then one reference per column
  --responses FILE         SystemID, InstanceID, Response
  --criterion NAME         correlate with this criterion only (repeatable; default: all)
  --n-refs N               reference sets (default 6)
  --no-vshuman             keep the human response among the references (default: drop index 1)
  --no-clean               skip clean_str
  --no-segments            system level only
  --meteor-modules LIST    exact,stem,synonym (default), or none
  --meteor-data DIR        METEOR's data directory (else downloaded to --meteor-cache)
  --meteor-cache DIR
  --iterations N           bootstrap resamples at the system level (default 10000)
  --segment-iterations N   bootstrap resamples at the segment level (default 1000)
  --seed N                 (default 1)
  --output md|csv|json     (default md)
  --svg FILE               write metric-against-human scatter plots, one per metric
  -h, --help
`

const defaultIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }

function numberFlag(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${value}`)
  return n
}

class UsageError extends Error {}

function outputFormat(value: string | undefined): 'md' | 'csv' | 'json' {
  const v = value ?? 'md'
  if (v !== 'md' && v !== 'csv' && v !== 'json') throw new UsageError(`--output must be md, csv or json, got ${v}`)
  return v
}

async function run(io: CliIo, usage: string, body: () => Promise<void>): Promise<number> {
  try {
    await body()
    return 0
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`dialogpt-eval: ${(error as Error).message}\n\n${usage}`)
      return 2
    }
    io.stderr(`dialogpt-eval: ${(error as Error).message}\n`)
    return 1
  }
}

/** `dialogpt-eval human`, callable in-process; returns the exit code (0, 1 bad input, 2 bad usage). */
export function runHumanCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  return run(io, HUMAN_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        likert: { type: 'string', multiple: true },
        pairwise: { type: 'string', multiple: true },
        format: { type: 'string' },
        scale: { type: 'string' },
        lenient: { type: 'boolean', default: false },
        repeats: { type: 'string' },
        iterations: { type: 'string' },
        seed: { type: 'string' },
        confidence: { type: 'string' },
        alpha: { type: 'string' },
        ties: { type: 'string' },
        first: { type: 'string', multiple: true },
        'dstc7-released': { type: 'string' },
        output: { type: 'string' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    })
    if (values.help) return void io.stdout(HUMAN_USAGE)
    if (!values.likert?.length && !values.pairwise?.length) throw new UsageError('give --likert or --pairwise (or both)')
    const format = values.format as TableFormat | undefined
    if (format !== undefined && !['tsv', 'csv', 'jsonl'].includes(format)) throw new UsageError(`--format must be tsv, csv or jsonl, got ${format}`)
    let scale: [number, number] | undefined
    if (values.scale !== undefined) {
      const parts = values.scale.split(',').map(Number)
      if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0]! > parts[1]!) throw new UsageError(`--scale must be MIN,MAX, got ${values.scale}`)
      scale = [parts[0]!, parts[1]!]
    }
    if (values.ties !== undefined && values.ties !== 'none' && values.ties !== 'half') throw new UsageError(`--ties must be none or half, got ${values.ties}`)
    const repeats = values.repeats ?? 'keep'
    if (repeats !== 'keep' && repeats !== 'refuse') throw new UsageError(`--repeats must be keep or refuse, got ${repeats}`)
    const output = outputFormat(values.output)
    const boot = {
      iterations: numberFlag(values.iterations, 'iterations', true),
      seed: numberFlag(values.seed, 'seed', true),
      confidence: numberFlag(values.confidence, 'confidence', false),
      alpha: numberFlag(values.alpha, 'alpha', false),
    }
    const rejected = []
    const repeated = []
    const likert = []
    for (const path of values.likert ?? []) {
      const read = readLikertJudgments(await readTextFile(path), { format: format ?? tableFormatOf(path), source: path, lenient: values.lenient, scale, repeats })
      likert.push(...read.judgments)
      rejected.push(...read.rejected)
      repeated.push(...read.repeated)
    }
    const pairwise = []
    for (const path of values.pairwise ?? []) {
      const read = readPairwiseJudgments(await readTextFile(path), { format: format ?? tableFormatOf(path), source: path, lenient: values.lenient, repeats })
      pairwise.push(...read.judgments)
      rejected.push(...read.rejected)
      repeated.push(...read.repeated)
    }
    const released = values['dstc7-released'] ? readDstc7ReleasedScores(await readTextFile(values['dstc7-released']), values['dstc7-released']) : undefined
    const report = {
      ...evaluateHumanJudgments({
        likert,
        pairwise,
        released,
        source: [...(values.likert ?? []), ...(values.pairwise ?? [])].join(', '),
        ...Object.fromEntries(Object.entries(boot).filter(([, v]) => v !== undefined)),
        ties: values.ties as 'none' | 'half' | undefined,
        first: values.first,
      }),
      rejected,
      repeated,
    }
    if (values.lenient && rejected.length) io.stderr(`dialogpt-eval: ${rejected.length} malformed rows left out (--lenient); the first: ${rejected[0]!.where}: ${rejected[0]!.reason}\n`)
    io.stdout(output === 'json' ? jsonText(report) : output === 'csv' ? humanEvaluationCsv(report) : humanEvaluationMarkdown(report))
    if (values.svg) {
      const summary = report.likert?.find((s) => s.criterion === ALL_CRITERIA) ?? report.likert?.[0]
      const rows = summary
        ? summary.systems.map((s) => ({ label: s.system, note: `#${s.rank}`, estimate: s.mean.estimate, low: s.mean.ci[0], high: s.mean.ci[1] }))
        : report.preferences!.map((p) => ({
            label: `${p.criterion}: ${p.systemA} − ${p.systemB} ${p.stars}`.trim(),
            estimate: p.difference.estimate,
            low: p.difference.ci[0],
            high: p.difference.ci[1],
          }))
      const title = summary ? `Mean rating${summary.criterion === ALL_CRITERIA ? ', all criteria,' : ` (${summary.criterion})`} with ${Math.round(report.bootstrap.confidence * 100)}% bootstrap CI` : 'Preference difference (A − B) with bootstrap CI'
      await writeFile(values.svg, intervalChartSvg({ title, axisLabel: summary ? 'mean rating' : 'difference in mean preference', rows }))
    }
  })
}

/** `dialogpt-eval correlate`, callable in-process; returns the exit code. */
export function runCorrelateCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  return run(io, CORRELATE_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        dstc7: { type: 'string' },
        judgments: { type: 'string' },
        references: { type: 'string' },
        responses: { type: 'string' },
        criterion: { type: 'string', multiple: true },
        'n-refs': { type: 'string' },
        'no-vshuman': { type: 'boolean', default: false },
        'no-clean': { type: 'boolean', default: false },
        'no-segments': { type: 'boolean', default: false },
        'meteor-modules': { type: 'string', default: 'exact,stem,synonym' },
        'meteor-data': { type: 'string' },
        'meteor-cache': { type: 'string' },
        'meteor-url': { type: 'string' },
        iterations: { type: 'string' },
        'segment-iterations': { type: 'string' },
        seed: { type: 'string' },
        output: { type: 'string' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    })
    if (values.help) return void io.stdout(CORRELATE_USAGE)
    const dir = values.dstc7
    const paths = dir
      ? { judgments: join(dir, DSTC7_RELEASE_FILES.perJudge), references: join(dir, DSTC7_RELEASE_FILES.gold), responses: join(dir, DSTC7_RELEASE_FILES.responses) }
      : { judgments: values.judgments, references: values.references, responses: values.responses }
    if (!paths.judgments || !paths.references || !paths.responses) throw new UsageError('give --dstc7 DIR, or all of --judgments, --references and --responses')
    const output = outputFormat(values.output)
    const meteorChoice = parseMeteorModules(values['meteor-modules'])
    if (typeof meteorChoice === 'object' && 'unknown' in meteorChoice) throw new UsageError(`--meteor-modules: unknown module ${meteorChoice.unknown}`)
    const seed = numberFlag(values.seed, 'seed', true)
    const iterations = numberFlag(values.iterations, 'iterations', true)
    const segmentIterations = numberFlag(values['segment-iterations'], 'segment-iterations', true)
    const nRefs = numberFlag(values['n-refs'], 'n-refs', true)
    const { judgments } = readLikertJudgments(await readTextFile(paths.judgments), { format: tableFormatOf(paths.judgments), source: paths.judgments })
    const references = readDstc7References(await readTextFile(paths.references), paths.references)
    const responses = readDstc7Responses(await readTextFile(paths.responses), paths.responses)
    const meteor = meteorChoice === 'none' ? false : { resources: await meteorResourcesFor(values), modules: meteorChoice.modules }
    const result = metricHumanAgreement({
      references,
      responses,
      judgments,
      criteria: values.criterion,
      pooled: dir ? DSTC7_POOLED_SYSTEMS : undefined,
      clean: !values['no-clean'],
      nRefs,
      vshuman: values['no-vshuman'] ? false : 1,
      meteor,
      segments: !values['no-segments'],
      bootstrap: { ...(iterations !== undefined && { iterations }), ...(seed !== undefined && { seed }) },
      segmentBootstrap: { ...(segmentIterations !== undefined && { iterations: segmentIterations }), ...(seed !== undefined && { seed }) },
    })
    io.stdout(output === 'json' ? jsonText(result) : output === 'csv' ? metricAgreementCsv(result) : metricAgreementMarkdown(result))
    if (values.svg) {
      const panels = result.correlations
        .filter((c) => c.level === 'system')
        .map((c) => ({
          title: c.metric,
          subtitle: `Pearson ${c.correlations.pearson.estimate.toFixed(2)} · Spearman ${c.correlations.spearman.estimate.toFixed(2)} · Kendall ${c.correlations.kendall.estimate.toFixed(2)}`,
          xLabel: c.metric,
          yLabel: 'human mean rating',
          points: result.systems.map((s) => ({ label: s.system, x: s.metrics[c.metric as keyof typeof s.metrics], y: s.human })),
        }))
      await writeFile(values.svg, scatterChartSvg({ title: `Automatic metrics against human ratings, per system (${result.instances} instances)`, panels }))
    }
  })
}
