import { expect, it } from 'vitest'
import { stemEnglish } from './english-stemmer'

// Where METEOR 1.5's bundled Snowball English stemmer differs from today's Snowball, as observed on
// the official jar (metrics-golden/ORACLES.md §9): METEOR's stem is the expected value here.
const meteorSpecific: [string, string][] = [
  ['added', 'ad'], ['adding', 'ad'], ['archaeologist', 'archaeologist'], ['biologists', 'biologist'], ['effing', 'ef'],
  ['emergence', 'emerg'], ['emergencies', 'emerg'], ['emergency', 'emerg'], ['evening', 'even'], ['interfered', 'interf'],
  ['interfering', 'interf'], ['internal', 'intern'], ['internally', 'intern'], ['international', 'intern'], ['interstate', 'interst'],
  ['interval', 'interv'], ['lateral', 'later'], ['organic', 'organ'], ['organisms', 'organ'], ['organization', 'organ'],
  ['organize', 'organ'], ['organizers', 'organ'], ['paste', 'past'], ['psychologist', 'psychologist'], ['universal', 'univers'],
  ['universities', 'univers'], ['university', 'univers'], ['zoologist', 'zoologist'],
]

it.each(meteorSpecific)('stems %s to %s as METEOR 1.5 does', (word, stem) => {
  expect(stemEnglish(word)).toBe(stem)
})

// Porter2 behaviour shared by every version: exceptions, regions, steps 1a-5.
const porter2: [string, string][] = [
  ['skies', 'sky'], ['news', 'news'], ['dying', 'die'], ['hoping', 'hope'], ['ties', 'tie'], ['cries', 'cri'],
  ['gas', 'gas'], ['gaps', 'gap'], ['agreed', 'agre'], ['feed', 'feed'], ['cry', 'cri'], ['by', 'by'], ['say', 'say'],
  ['generously', 'generous'], ['communism', 'communism'], ['happiness', 'happi'], ['running', 'run'], ['controlling', 'control'],
  ['youth', 'youth'], ['sayings', 'say'], ['proceed', 'proceed'], ["dog's", 'dog'], ['nationalization', 'nation'],
]

it.each(porter2)('stems %s to %s', (word, stem) => {
  expect(stemEnglish(word)).toBe(stem)
})
