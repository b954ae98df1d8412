/**
 * Benchmark for the theme-suggestion engine: `npm run bench:suggestions [-- --sizes 300,1000,3000]`.
 *
 * Synthetic consultations: answers drawn from six topics (each a few phrases of its own) padded
 * with words every topic shares, at several sizes. For each size it reports the engine's wall and
 * CPU time (median of three), the ratio to the smallest size in the same run (the baseline: how the
 * cost grows with the answers), and the purity of the suggestions against the topics the answers
 * were drawn from (1 = every suggestion holds answers of one topic). Exits 1 when the largest run
 * passes its budget (well inside the job's 120 s limit) or purity falls below 0.9.
 */
import { suggestThemes } from '../src/modules/policy/engine/index.ts';

const TOPICS = [
  ['rota gaps', 'agency staff', 'night shift', 'staffing levels', 'permanent nurses'],
  ['ambulance handover', 'handover delays', 'corridor care', 'crews waiting', 'admitted patients'],
  ['patient record', 'gp record', 'it systems', 'shared records', 'slow computers'],
  ['mental health', 'crisis team', 'psychiatric liaison', 'section 136', 'safe space'],
  ['frailty unit', 'care homes', 'falls service', 'older people', 'same day emergency care'],
  ['discharge lounge', 'social care', 'care packages', 'delayed discharge', 'community beds'],
];
const FILLER = [
  'department',
  'patients',
  'time',
  'every',
  'day',
  'front',
  'door',
  'staff',
  'hospital',
  'problem',
  'better',
];
/** Words only a few answers share, as real answers have: they fill the vocabulary to its cap. */
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tos',
  'vu',
  'del',
  'pra',
  'sin',
  'gor',
  'bex',
  'ful',
  'nar',
  'qui',
  'zet',
];
const RARE = Array.from({ length: 3000 }, (_, i) => {
  let w = '';
  for (let x = i + 7, j = 0; j < 3; j++, x = Math.floor(x / SYLLABLES.length))
    w += SYLLABLES[x % SYLLABLES.length];
  return w + SYLLABLES[i % 7];
});
const BUDGET_MS = 60_000;

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(n: number, seed: number) {
  const random = createRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const topic = i % TOPICS.length;
    const words: string[] = [];
    for (let j = 0; j < 3; j++) words.push(pick(TOPICS[topic]!), pick(FILLER), pick(RARE));
    return { responseId: i + 1, topic, text: `We see ${words.join(' and ')} at our hospital.` };
  });
}

function purity(themes: { responseIds: number[] }[], topicOf: Map<number, number>) {
  let majority = 0;
  let total = 0;
  for (const t of themes) {
    const counts = new Map<number, number>();
    for (const id of t.responseIds) counts.set(topicOf.get(id)!, (counts.get(topicOf.get(id)!) ?? 0) + 1);
    majority += Math.max(...counts.values());
    total += t.responseIds.length;
  }
  return total ? majority / total : 0;
}

const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg > 0 ? process.argv[sizesArg + 1]! : '300,1000,3000').split(',').map(Number);
const rows: string[] = [];
let baseline = 0;
let failed = false;
for (const n of sizes) {
  const answers = corpus(n, n);
  const topicOf = new Map(answers.map((a) => [a.responseId, a.topic]));
  const walls: number[] = [];
  const cpus: number[] = [];
  let result: ReturnType<typeof suggestThemes> | null = null;
  for (let run = 0; run < 3; run++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    result = suggestThemes({ answers });
    walls.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const wall = median(walls);
  if (!baseline) baseline = wall;
  const p = purity(result!.themes, topicOf);
  if (p < 0.9) failed = true;
  if (n === sizes[sizes.length - 1] && wall > BUDGET_MS) failed = true;
  rows.push(
    `| ${n} | ${wall.toFixed(0)} | ${median(cpus).toFixed(0)} | ${(wall / baseline).toFixed(1)} | ${result!.k} | ${result!.themes.length} | ${p.toFixed(3)} | ${result!.silhouette} |`,
  );
  console.error(`${n} answers: ${wall.toFixed(0)} ms`);
}
console.log(
  '| answers | wall ms (median of 3) | CPU ms | ratio to smallest | k | suggestions | purity | silhouette |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
if (failed) {
  console.error(`Failed: purity below 0.9 or the largest run above ${BUDGET_MS} ms`);
  process.exit(1);
}
