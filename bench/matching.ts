/**
 * Benchmark for the mentor matching engine: `npm run bench:matching`.
 *
 * A. 3,000 mentees x 750 mentors (capacities 1-5, 40 organisations, pairs within
 *    one organisation forbidden, about 2.2 million allowed pairs): the engine
 *    against the `munkres` package on the capacity-expanded matrix (one row per
 *    mentor place), in the same process, checking that they agree. Exits 1 if the
 *    engine's median is above 2 s or the answers differ.
 * B. 10,000 mentees x 2,500 mentors (about 24 million pairs): the engine only.
 *
 * Times are wall-clock medians on one thread, with CPU time beside them because
 * a shared machine inflates wall time.
 */
import { loadavg } from 'node:os';
import { munkres } from 'munkres';
import { createEdgeWorkspace } from '../src/modules/mentoring/engine/edge-workspace.ts';
import { solveValidated } from '../src/modules/mentoring/engine/solve-matching.ts';
import { validateProblem } from '../src/modules/mentoring/engine/validate-problem.ts';
import {
  solveMatching,
  type MatchingProblem,
  type MatchingResult,
} from '../src/modules/mentoring/engine/index.ts';

const ORGANISATIONS = 40;
const SPECIALTIES = 12;
const REGIONS = 7;
const INTERESTS = 4;
const LIMIT_MS = 2000;

interface Person {
  readonly org: number;
  readonly specialty: number;
  readonly region: number;
  readonly seniority: number;
  readonly interests: number[];
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** mulberry32: small, fast and seeded, so every run benchmarks the same instance. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function drawPerson(random: () => number, seniorityLow: number): Person {
  return {
    org: Math.floor(random() * ORGANISATIONS),
    specialty: Math.floor(random() * SPECIALTIES),
    region: Math.floor(random() * REGIONS),
    seniority: seniorityLow + Math.floor(random() * 5),
    interests: Array.from({ length: INTERESTS }, () => random()),
  };
}

/**
 * A plausible compatibility score in [0, 100] with one decimal place: shared or
 * neighbouring specialty, same region, similar interests, and a mentor two to
 * four grades more senior.
 */
function scorePair(mentee: Person, mentor: Person): number {
  const gap = Math.abs(mentee.specialty - mentor.specialty);
  const specialty = gap === 0 ? 30 : gap === 1 || gap === SPECIALTIES - 1 ? 12 : 0;
  const region = mentee.region === mentor.region ? 15 : 0;
  let distance = 0;
  for (let k = 0; k < INTERESTS; k++) distance += Math.abs(mentee.interests[k]! - mentor.interests[k]!);
  const interests = 35 * (1 - distance / INTERESTS);
  const lift = mentor.seniority - mentee.seniority;
  const seniority = lift >= 2 && lift <= 4 ? 20 : Math.max(0, 20 - 6 * Math.min(Math.abs(lift - 3), 4));
  return Math.round((specialty + region + interests + seniority) * 10) / 10;
}

function generateProblem(menteeCount: number, mentorCount: number, seed: number): MatchingProblem {
  const random = createRandom(seed);
  const mentees = Array.from({ length: menteeCount }, () => drawPerson(random, 1));
  const mentors = Array.from({ length: mentorCount }, () => drawPerson(random, 4));
  const menteeIds = mentees.map((_, i) => `mentee-${String(i + 1).padStart(5, '0')}`);
  const mentorIds = mentors.map((_, j) => `mentor-${String(j + 1).padStart(4, '0')}`);
  const scores: [string, string, number][] = [];
  mentees.forEach((mentee, i) => {
    mentors.forEach((mentor, j) => {
      if (mentee.org !== mentor.org) scores.push([menteeIds[i]!, mentorIds[j]!, scorePair(mentee, mentor)]);
    });
  });
  return {
    mentees: menteeIds,
    mentors: mentorIds.map((id) => ({ id, capacity: 1 + Math.floor(random() * 5) })),
    scores,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function progress(message: string): void {
  process.stderr.write(`  .. ${message}\n`);
}

/** Runs `task` and returns its result with wall and CPU milliseconds. */
function time<T>(task: () => T): { value: T; timing: Timing } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = task();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { value, timing: { wall, cpu: (cpu.user + cpu.system) / 1000 } };
}

function medianTiming(timings: Timing[]): Timing {
  return { wall: median(timings.map((t) => t.wall)), cpu: median(timings.map((t) => t.cpu)) };
}

function timeEngine(
  problem: MatchingProblem,
  runs: number,
): { timing: Timing; first: Timing; result: MatchingResult } {
  const timings: Timing[] = [];
  let result: MatchingResult | undefined;
  for (let run = 1; run <= runs; run++) {
    const measured = time(() => solveMatching(problem));
    result = measured.value;
    timings.push(measured.timing);
    progress(`engine run ${run}/${runs}: ${measured.timing.wall.toFixed(0)} ms`);
  }
  return { timing: medianTiming(timings), first: timings[0]!, result: result! };
}

/** The engine after input checking: scaling, network, flow solver and certificate. */
function timeEngineCore(problem: MatchingProblem, runs: number): Timing {
  const workspace = createEdgeWorkspace(problem.scores.length, true);
  const indexed = validateProblem(problem, workspace);
  const timings: Timing[] = [];
  for (let run = 1; run <= runs; run++) {
    timings.push(time(() => solveValidated(indexed, workspace)).timing);
    progress(`engine core run ${run}/${runs}: ${timings.at(-1)!.wall.toFixed(0)} ms`);
  }
  return medianTiming(timings);
}

/** One row per mentor place, one column per mentee; forbidden cells cost +Infinity. */
function buildExpandedMatrix(problem: MatchingProblem): Float64Array[] {
  const menteeIndex = new Map(problem.mentees.map((id, i) => [id, i]));
  const mentorIndex = new Map(problem.mentors.map((m, j) => [m.id, j]));
  const mentorRows = problem.mentors.map(() => new Float64Array(problem.mentees.length).fill(Infinity));
  for (const [mentee, mentor, score] of problem.scores) {
    mentorRows[mentorIndex.get(mentor)!]![menteeIndex.get(mentee)!] = -score;
  }
  return problem.mentors.flatMap((m, j) =>
    Array.from({ length: m.capacity }, (_, c) =>
      c === 0 ? mentorRows[j]! : Float64Array.from(mentorRows[j]!),
    ),
  );
}

interface MunkresRun {
  readonly solve: Timing;
  readonly endToEnd: Timing;
  readonly matched: number;
  readonly objective: number;
}

function timeMunkres(problem: MatchingProblem, runs: number): MunkresRun {
  const solves: Timing[] = [];
  const totals: Timing[] = [];
  let matched = 0;
  let objective = 0;
  for (let run = 0; run <= runs; run++) {
    const built = time(() => buildExpandedMatrix(problem));
    const solved = time(() => munkres(built.value));
    if (run === 0) {
      progress(`munkres warm-up on ${built.value.length} places x ${problem.mentees.length} mentees`);
      continue;
    }
    solves.push(solved.timing);
    totals.push({ wall: built.timing.wall + solved.timing.wall, cpu: built.timing.cpu + solved.timing.cpu });
    progress(
      `munkres run ${run}/${runs}: ${solved.timing.wall.toFixed(0)} ms (+ ${built.timing.wall.toFixed(0)} ms matrix)`,
    );
    matched = 0;
    objective = 0;
    for (const [row, col] of solved.value) {
      const cost = built.value[row]![col]!;
      if (cost === Infinity) continue;
      matched++;
      objective -= cost;
    }
  }
  return { solve: medianTiming(solves), endToEnd: medianTiming(totals), matched, objective };
}

function describeProblem(problem: MatchingProblem): string {
  const places = problem.mentors.reduce((sum, m) => sum + m.capacity, 0);
  const pairs = problem.scores.length.toLocaleString('en-GB');
  return `${problem.mentees.length} mentees x ${problem.mentors.length} mentors (${places} places, ${pairs} allowed pairs)`;
}

function row(label: string, timing: Timing): string {
  return `  ${label.padEnd(44)} ${timing.wall.toFixed(0).padStart(7)} ms   ${timing.cpu.toFixed(0).padStart(7)} ms`;
}

function describeResult(label: string, matched: number, objective: number): string {
  return `  ${label.padEnd(9)} matched ${matched}, objective ${objective}`;
}

/** Instance A; returns false when the engine is too slow or disagrees with munkres. */
function runInstanceA(): boolean {
  progress('generating 3,000 x 750 instance');
  const problem = generateProblem(3000, 750, 20240611);
  console.log(`A: ${describeProblem(problem)}`);
  progress('engine warm-up');
  solveMatching(problem);
  const engine = timeEngine(problem, 7);
  const core = timeEngineCore(problem, 7);
  const reference = timeMunkres(problem, 3);
  const agree =
    engine.result.matched === reference.matched &&
    Math.abs(engine.result.objective - reference.objective) < 1e-6;
  console.log(`  ${''.padEnd(44)} ${'wall'.padStart(10)}   ${'cpu'.padStart(10)}`);
  console.log(row('engine: solveMatching from the pairs list', engine.timing));
  console.log(row('munkres: build expanded matrix + solve', reference.endToEnd));
  console.log(row('engine core: after input checks', core));
  console.log(row('munkres: solve only (matrix prebuilt)', reference.solve));
  const ratio = (theirs: Timing, ours: Timing) => `${(theirs.wall / ours.wall).toFixed(1)}x`;
  console.log(
    `  engine faster than munkres: ${ratio(reference.endToEnd, engine.timing)} end to end, ` +
      `${ratio(reference.solve, core)} solver against solver (wall-clock medians)`,
  );
  console.log(describeResult('engine', engine.result.matched, engine.result.objective));
  console.log(describeResult('munkres', reference.matched, reference.objective));
  console.log(`  answers ${agree ? 'agree' : 'DIFFER'}; engine proof exact: ${engine.result.exact}`);
  const fastEnough = engine.timing.wall <= LIMIT_MS;
  if (!fastEnough)
    console.log(`  FAIL: engine median ${engine.timing.wall.toFixed(0)} ms is above ${LIMIT_MS} ms`);
  return agree && fastEnough;
}

function runInstanceB(): void {
  progress('generating 10,000 x 2,500 instance (about 24 million pairs; takes a while)');
  const problem = generateProblem(10000, 2500, 20240612);
  console.log(`\nB: ${describeProblem(problem)}`);
  const engine = timeEngine(problem, 3);
  console.log(row('engine: first run', engine.first));
  console.log(row('engine: median of 3', engine.timing));
  console.log(describeResult('engine', engine.result.matched, engine.result.objective));
  console.log(`  engine proof exact: ${engine.result.exact}`);
  console.log(
    '  munkres not run: its matrix would be 7,500 x 10,000 and its time grows as places^2 x mentees.',
  );
}

function main(): number {
  const load = loadavg()[0]!.toFixed(1);
  console.log(`Mentor matching benchmark (Node ${process.version}, one thread, load average ${load})\n`);
  const passed = runInstanceA();
  runInstanceB();
  return passed ? 0 : 1;
}

process.exitCode = main();
