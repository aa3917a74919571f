import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { MetricsInputError } from '../errors'
import { MeteorModuleUnavailableError, meteor } from '../meteor/meteor'
import { parseMeteorResources } from '../meteor/resources'
import { ensureMeteorResources, METEOR_RESOURCE_CHECKSUMS, MeteorDownloadError } from './ensure-resources'
import { runEvalCli } from './eval-cli'
import { readCorpus } from './read-corpus'
import { readLinesFile } from './read-lines'

const dir = mkdtempSync(join(tmpdir(), 'dialogpt-metrics-'))
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

it('reads lines like the official scripts and names the file and line of invalid UTF-8', async () => {
  expect(await readLinesFile(file('crlf.txt', 'a\r\nb\rc\n'))).toEqual(['a', 'b', 'c'])
  const bad = file('bad.txt', Buffer.concat([Buffer.from('fine\nalso fine\n'), Buffer.from([0x61, 0xff, 0x62]), Buffer.from('\n')]))
  await expect(readLinesFile(bad)).rejects.toThrow(`${bad}:3: is not valid UTF-8`)
  await expect(readLinesFile(join(dir, 'missing.txt'))).rejects.toThrow(/missing\.txt: cannot read the file \(ENOENT\)/)
})

it('refuses corpora with mismatched line counts or no lines', async () => {
  const hyp = file('hyp.txt', 'a\nb\nc\n')
  const ref = file('ref.txt', 'a\nb\n')
  await expect(readCorpus(hyp, [ref])).rejects.toThrow(`${ref}:3: has 2 lines but ${hyp} has 3`)
  await expect(readCorpus(file('empty.txt', ''), [ref])).rejects.toBeInstanceOf(MetricsInputError)
})

it('reports the synonym module as unavailable without synonym data, never skipping it silently', () => {
  const resources = parseMeteorResources({ functionWords: 'the\n', nonbreakingPrefixes: '' })
  expect(() => meteor(['a car'], [['an automobile']], { resources })).toThrow(MeteorModuleUnavailableError)
  expect(() => meteor(['a car'], [['an automobile']], { resources, modules: ['exact', 'paraphrase'] })).toThrow(/paraphrase/)
  expect(meteor(['a car'], [['a car']], { resources, modules: ['exact'] }).score).toBeGreaterThan(0.9)
})

describeShared('METEOR data download and the dialogpt-eval command', ['meteor-data'], () => {
  let server: Server
  let base = ''
  let requests: string[] = []
  let corrupt = false
  beforeAll(async () => {
    // Serves ../shared/meteor-data in METEOR's resources/ layout, on 127.0.0.1 only.
    const byPath = Object.fromEntries(Object.values(METEOR_RESOURCE_CHECKSUMS).map(({ path }) => [`/resources/${path}`, path.split('/')[1]!]))
    server = createServer((req, res) => {
      requests.push(req.url!)
      const name = byPath[req.url!]
      if (!name) return res.writeHead(404).end()
      const body = readFileSync(sharedPath('meteor-data', name))
      res.writeHead(200).end(corrupt ? body.subarray(0, body.length - 1) : body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/resources`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('downloads once with checksums, then works from the cache offline', async () => {
    const cacheDir = join(dir, 'cache-ok')
    requests = []
    const first = await ensureMeteorResources({ cacheDir, baseUrl: base })
    expect(requests).toHaveLength(4)
    expect(first.synonyms?.size).toBeGreaterThan(100_000)
    requests = []
    const offline = await ensureMeteorResources({ cacheDir, baseUrl: 'http://127.0.0.1:9/unreachable' })
    expect(requests).toHaveLength(0)
    expect(offline.functionWords.size).toBe(first.functionWords.size)
  })

  it('refuses a corrupted download and leaves no file behind', async () => {
    const cacheDir = join(dir, 'cache-corrupt')
    corrupt = true
    try {
      await expect(ensureMeteorResources({ cacheDir, baseUrl: base })).rejects.toThrow(/checksum mismatch/)
    } finally {
      corrupt = false
    }
    expect(existsSync(join(cacheDir, 'english.words'))).toBe(false)
  })

  it('says clearly when it is offline', async () => {
    const error = await ensureMeteorResources({ cacheDir: join(dir, 'cache-offline'), baseUrl: 'http://127.0.0.1:9/unreachable' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MeteorDownloadError)
    expect(String(error)).toMatch(/cannot download METEOR data \(offline\?\)/)
  })

  it('prints the paper table and the full-precision JSON', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }
    const demo = (f: string) => sharedPath('metrics-golden', 'dstc7-demo', f)
    const args = ['--hyp', demo('hyp.txt'), '--ref', demo('ref0.txt'), '--ref', demo('ref1.txt'), '--meteor-data', sharedPath('meteor-data')]
    expect(await runEvalCli(args, io)).toBe(0)
    expect(out.join('')).toMatch(/^NIST-2\s+NIST-4\s+BLEU-2\s+BLEU-4\s+METEOR\s+Entropy-4\s+Dist-1\s+Dist-2\s+Avg len\n2\.0838\s+2\.1949\s+44\.10%\s+32\.24%\s+27\.14%\s+1\.7918\s+86\.67%\s+100\.00%\s+5\.00\n$/)
    out.length = 0
    expect(await runEvalCli([...args, '--json'], io)).toBe(0)
    const json = JSON.parse(out.join(''))
    expect(Object.keys(json)).toEqual(['nist', 'bleu', 'meteor', 'entropy', 'dist', 'avgLen'])
    expect(json.bleu[3]).toBeCloseTo(0.3224, 4)
    expect(err).toEqual([])
  })

  it('downloads METEOR data on first use when no directory is given', async () => {
    const io = { stdout: () => {}, stderr: (t: string) => expect.fail(t) }
    const demo = (f: string) => sharedPath('metrics-golden', 'dstc7-demo', f)
    expect(await runEvalCli(['--hyp', demo('hyp.txt'), '--ref', demo('ref0.txt'), '--meteor-cache', join(dir, 'cli-cache'), '--meteor-url', base], io)).toBe(0)
    expect(existsSync(join(dir, 'cli-cache', 'english.synsets'))).toBe(true)
  })
})

it('exits 1 with the file and line for bad input, 2 for bad usage', async () => {
  const err: string[] = []
  const io = { stdout: () => {}, stderr: (t: string) => err.push(t) }
  const hyp = file('cli-hyp.txt', 'a\nb\n')
  const ref = file('cli-ref.txt', 'a\n')
  expect(await runEvalCli(['--hyp', hyp, '--ref', ref, '--meteor-modules', 'none'], io)).toBe(1)
  expect(err.join('')).toContain(`dialogpt-eval: ${ref}:2: has 1 lines`)
  expect(await runEvalCli(['--hyp', hyp], io)).toBe(2)
  expect(await runEvalCli(['--hyp', hyp, '--ref', ref, '--meteor-modules', 'magic'], io)).toBe(2)
  expect(await runEvalCli(['--bogus'], io)).toBe(2)
})
