// Writes reddit-sample.jsonl: a small Reddit-format comment dump for the offline demo. Every line of
// text below was written for this project (no third-party text). The threads are generated from
// these templates with a fixed seed, in Pushshift's NDJSON layout, and include the kinds of comment
// the paper's pipeline removes (deleted, quoting, links, markup, shouting, repetition, overlong
// turns, low scores, a blocked subreddit) and two malformed lines, so the filter report has
// something to count.   Regenerate: pnpm tsx examples/data/write-reddit-sample.ts
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Topic {
  subreddit: string
  openers: string[]
  answers: string[]
  followUps: string[]
  followAnswers: string[]
}

const topics: Topic[] = [
  {
    subreddit: 'tea',
    openers: ['What kind of tea do you drink in the morning?', 'Is green tea better hot or cold?', 'Any tips for a first cup of loose leaf tea?', 'How long do you steep black tea?'],
    answers: ['I drink green tea every morning, it is light and calm.', 'Black tea with a little milk, every single day.', 'Steep it for three minutes and do not use boiling water.', 'Green tea is best hot, but iced is nice in summer.', 'Start with a simple oolong, it is hard to ruin.'],
    followUps: ['Do you add sugar to it?', 'Where do you buy your tea?', 'How much tea do you use per cup?'],
    followAnswers: ['No sugar, just a slice of lemon.', 'A small shop near my house sells good leaves.', 'About one spoon of leaves for each cup.'],
  },
  {
    subreddit: 'coffee',
    openers: ['How do you make coffee at home?', 'Is a cheap grinder worth it for coffee?', 'What is the best way to make cold brew coffee?'],
    answers: ['A simple pour over gives me a clean cup of coffee.', 'Yes, fresh ground beans make the coffee much better.', 'Soak the grounds overnight in cold water, then filter it.', 'I use a small press, four minutes and it is ready.'],
    followUps: ['Do you drink it black?', 'How many cups a day?', 'Light roast or dark roast?'],
    followAnswers: ['Black, with nothing in it.', 'Two cups, never after noon.', 'Light roast, it has more flavor.'],
  },
  {
    subreddit: 'dogs',
    openers: ['How often do you walk your dog?', 'My dog will not stop barking at night, any advice?', 'What is a good first dog for a small flat?'],
    answers: ['Twice a day, a long walk in the morning and a short one at night.', 'Give the dog more exercise during the day and it will sleep at night.', 'A small calm dog is great for a flat, ask a local shelter.', 'My dog needs at least an hour of walking or he gets bored.'],
    followUps: ['What breed is your dog?', 'Does your dog like other dogs?', 'How old is he?'],
    followAnswers: ['A mixed breed from the shelter, the best dog ever.', 'He loves other dogs and plays for hours.', 'He is five years old and still full of energy.'],
  },
  {
    subreddit: 'cats',
    openers: ['Why does my cat sleep all day?', 'How do I stop my cat from scratching the sofa?', 'Do cats like to be brushed?'],
    answers: ['Cats sleep most of the day, it is normal for them.', 'Get a scratching post and put it right next to the sofa.', 'My cat loves to be brushed, but only for a minute.', 'Play with your cat in the evening and she will sleep at night.'],
    followUps: ['What does your cat eat?', 'Is your cat an indoor cat?', 'How many cats do you have?'],
    followAnswers: ['Wet food in the morning and dry food at night.', 'Yes, she stays inside and watches the birds.', 'Two cats, and they are best friends.'],
  },
  {
    subreddit: 'running',
    openers: ['How do I start running as a beginner?', 'What shoes do you use for running?', 'Is it fine to run every day?'],
    answers: ['Start slow, run for one minute and walk for one minute.', 'Get shoes from a running store, they will watch you run.', 'Take a rest day each week, your legs need it.', 'Run easy most of the time, you should be able to talk.'],
    followUps: ['How far do you run each week?', 'Do you run in the rain?', 'Do you listen to music when you run?'],
    followAnswers: ['About twenty miles a week, all easy.', 'Yes, rain is the best weather for running.', 'No music, I like to hear the birds.'],
  },
  {
    subreddit: 'cooking',
    openers: ['What is an easy dinner you cook every week?', 'How do you cook pasta so it is not sticky?', 'What should I cook for a first date?'],
    answers: ['Pasta with garlic, olive oil and a little cheese.', 'Use a big pot of salted water and stir the pasta often.', 'A simple soup with fresh bread is easy and warm.', 'Roast vegetables in the oven with salt and oil.'],
    followUps: ['How long does it take?', 'Do you make your own bread?', 'What cheese do you use?'],
    followAnswers: ['About twenty minutes from start to finish.', 'Yes, every weekend, it is easy once you start.', 'Any hard cheese, grated on top.'],
  },
  {
    subreddit: 'books',
    openers: ['What book are you reading right now?', 'How do you find time to read?', 'What is a good book for a long train ride?'],
    answers: ['A long history book about the sea, it is great.', 'I read for half an hour before bed every night.', 'A short mystery novel is perfect for a train ride.', 'I always carry a book and read on the bus.'],
    followUps: ['Paper books or an e reader?', 'Who is your favorite writer?', 'How many books do you read a year?'],
    followAnswers: ['Paper books, I like the smell of them.', 'I love old mystery writers the most.', 'About thirty books a year.'],
  },
  {
    subreddit: 'guitar',
    openers: ['How long did it take you to learn guitar?', 'My fingers hurt when I play guitar, is that normal?', 'Should I learn acoustic or electric guitar first?'],
    answers: ['It took me about a year to play songs I liked.', 'Yes, your fingers will hurt for a few weeks, then it gets better.', 'Start with the guitar that plays the music you love.', 'Practice a little every day, ten minutes is enough.'],
    followUps: ['What song did you learn first?', 'Do you take lessons?', 'How often do you change the strings?'],
    followAnswers: ['A simple folk song with three chords.', 'I learned from videos at home.', 'Every two months or so.'],
  },
  {
    subreddit: 'gardening',
    openers: ['What vegetables are easy to grow?', 'How often should I water tomatoes?', 'Can I grow herbs on a window sill?'],
    answers: ['Beans and lettuce are easy, they grow fast.', 'Water tomatoes deeply two or three times a week.', 'Yes, basil and mint grow well on a sunny window sill.', 'Start with good soil and lots of sun.'],
    followUps: ['Do you use a greenhouse?', 'What do you do about snails?', 'When do you plant them?'],
    followAnswers: ['No greenhouse, just a small garden.', 'I pick the snails off at night.', 'In spring, after the last frost.'],
  },
  {
    subreddit: 'chess',
    openers: ['How do I get better at chess?', 'What opening should a beginner learn in chess?', 'Is it worth studying chess endgames?'],
    answers: ['Play slow games and look at your mistakes after each one.', 'Learn one simple opening and play it every game.', 'Yes, endgames teach you how the pieces work together.', 'Solve a few puzzles every day, it helps a lot.'],
    followUps: ['Do you play online?', 'What is your rating?', 'How long are your games?'],
    followAnswers: ['Online every evening, mostly slow games.', 'Around fifteen hundred, still learning.', 'Thirty minutes each, it gives me time to think.'],
  },
  {
    subreddit: 'programming',
    openers: ['How do you find a bug you cannot see?', 'What language should I learn first?', 'How do you stay focused when you code?'],
    answers: ['Print the values step by step until something looks wrong.', 'Learn the language your friends use, you can ask them for help.', 'Write a small test that shows the bug, then fix it.', 'Turn off the phone and work in short blocks of time.'],
    followUps: ['Do you use a debugger?', 'How long have you been coding?', 'Do you write tests first?'],
    followAnswers: ['Sometimes, but printing is often faster.', 'About ten years now.', 'For bugs, yes, always a test first.'],
  },
  {
    subreddit: 'travel',
    openers: ['Train or plane for a trip across the country?', 'How do you pack light for a week?', 'What is the best city you have visited?'],
    answers: ['The train is slower but you see so much more.', 'Pack three shirts and wash them on the way.', 'A small city by the sea, quiet and full of good food.', 'I take one small bag and never check luggage.'],
    followUps: ['Do you travel alone?', 'How do you find places to stay?', 'What do you always bring?'],
    followAnswers: ['Mostly alone, it is easy to meet people.', 'Small guest houses, they are cheap and friendly.', 'A good book and a warm jacket.'],
  },
  {
    subreddit: 'baking',
    openers: ['Why is my bread so dense?', 'What is the easiest cake to bake?', 'How do I start baking bread at home?'],
    answers: ['Let the dough rise longer in a warm place.', 'A simple banana cake is hard to get wrong.', 'Start with a basic white loaf, flour, water, salt and yeast.', 'Use a scale, baking needs exact amounts.'],
    followUps: ['What flour do you use?', 'How long do you knead it?', 'Do you bake every week?'],
    followAnswers: ['Plain bread flour from the shop.', 'About ten minutes by hand.', 'Every sunday morning.'],
  },
  {
    subreddit: 'weather',
    openers: ['Does anyone else love rainy days?', 'How do you stay warm in winter?', 'What do you do on very hot days?'],
    answers: ['Rainy days are perfect for tea and a good book.', 'Wear layers and keep a warm hat on.', 'Stay inside in the afternoon and go out in the evening.', 'I love the sound of rain on the window.'],
    followUps: ['Do you have snow where you live?', 'Do you go out when it rains?', 'What is your favorite season?'],
    followAnswers: ['A little snow every year, never much.', 'Yes, with a good coat and boots.', 'Autumn, cool air and warm colors.'],
  },
]

// Comments the pipeline must remove, by the rule that removes them.
const noise = {
  deleted: '[deleted]',
  quote: (t: string) => `> ${t}\n\nI do not agree with this at all.`,
  url: 'There is a guide at https://example.org/guide that explains it well.',
  markup: 'Read the [guide](see the wiki) before you ask again.',
  capitals: 'THIS IS THE BEST ANSWER in the whole thread.',
  repetition: 'no no no, that is not how it works.',
  long: 'Well it is a long story because when I first started doing this many years ago I had no idea what I was doing and I made every mistake you could imagine and then some more after that.',
  short: 'lol',
  foreign: 'ceci est une phrase sans mots anglais courants',
}

let state = 20241124
const rand = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0
  return state / 4294967296
}
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!

let commentId = 1000
let linkId = 500
let time = 1700000000
const lines: string[] = []
const emit = (link: string, parent: string, body: string, subreddit: string, score: number) => {
  const id = (commentId++).toString(36)
  time += 37 + Math.floor(rand() * 600)
  lines.push(JSON.stringify({ author: `user${Math.floor(rand() * 400)}`, body, controversiality: 0, created_utc: time, edited: false, gilded: 0, id, link_id: `t3_${link}`, parent_id: parent, retrieved_on: time + 86400, score, subreddit, subreddit_id: `t5_${subreddit.length}x`, ups: score }))
  return `t1_${id}`
}

for (let round = 0; round < 6; round++) {
  for (const topic of topics) {
    const link = (linkId++).toString(36)
    const top = `t3_${link}`
    const opener = pick(topic.openers)
    const root = emit(link, top, opener, topic.subreddit, 5 + Math.floor(rand() * 20))
    const replies = 2 + Math.floor(rand() * 3)
    for (let r = 0; r < replies; r++) {
      const answer = pick(topic.answers)
      const a = emit(link, root, answer, topic.subreddit, 1 + Math.floor(rand() * 10))
      if (rand() < 0.6) {
        const f = emit(link, a, pick(topic.followUps), topic.subreddit, 1 + Math.floor(rand() * 5))
        if (rand() < 0.8) emit(link, f, pick(topic.followAnswers), topic.subreddit, 1 + Math.floor(rand() * 5))
      }
    }
    // one comment per thread that a rule removes
    const r = rand()
    if (r < 0.12) emit(link, root, noise.deleted, topic.subreddit, 1)
    else if (r < 0.22) emit(link, root, noise.quote(opener), topic.subreddit, 2)
    else if (r < 0.32) emit(link, root, noise.url, topic.subreddit, 3)
    else if (r < 0.42) emit(link, root, noise.markup, topic.subreddit, 2)
    else if (r < 0.5) emit(link, root, noise.capitals, topic.subreddit, 4)
    else if (r < 0.58) emit(link, root, noise.repetition, topic.subreddit, 2)
    else if (r < 0.66) emit(link, root, noise.long, topic.subreddit, 3)
    else if (r < 0.74) emit(link, root, noise.short, topic.subreddit, 1)
    else if (r < 0.8) emit(link, root, noise.foreign, topic.subreddit, 2)
    else if (r < 0.9) emit(link, root, pick(topic.answers), topic.subreddit, 0)
  }
}
// a thread from a subreddit the demo blocks
const spam = (linkId++).toString(36)
const spamRoot = emit(spam, `t3_${spam}`, 'Buy my course and get rich in a week.', 'getrichfast', 1)
emit(spam, spamRoot, 'This works, I am rich now.', 'getrichfast', 1)
// two malformed lines, to show they are counted with their line numbers
lines.splice(40, 0, '{"body": "a line cut in the middle of writ')
lines.splice(200, 0, JSON.stringify({ body: 'no ids on this one', score: 1 }))

const out = join(dirname(fileURLToPath(import.meta.url)), 'reddit-sample.jsonl')
writeFileSync(out, `${lines.join('\n')}\n`)
console.log(`wrote ${lines.length} lines to ${out}`)
