/**
 * Benchmark of the learning-set formation engine.
 *
 *   npx tsx bench/sets.ts [--quick] [--instances DIR]
 *
 * 1. MDGPLIB: every instance listed in reference-values.tsv, at its literature time limit, one
 *    core, seeds 1-3, run one after another. Reports mean and worst gap to the reference per
 *    instance and overall. Fails (exit 1) if the mean gap is above 0.1 %, any run is above 0.5 %,
 *    or any size bound is broken.
 * 2. A realistic cohort: 120 synthetic people into sets of 6-8 with organisation, keep-apart and
 *    keep-together rules; a 2 s run against a 60 s run. Fails if the 2 s run is more than 0.05 %
 *    below, overruns 2 s, or breaks a rule.
 *
 * 3. Parallel searches at the same wall-clock budget (`--parallel` runs only this part): the
 *    engine as the app runs it, in worker threads, once with one search and once with k
 *    independent searches (k = min(cores, 4), different seeds, best kept), each measured in this
 *    run on the same instances, seeds and budgets. Reports the objective ratio k/1 and the
 *    wall-clock ratio; fails if the k searches are worse on average or take more than 25 % longer.
 *
 * --quick: one seed and a tenth of the time; only broken bounds or rules fail the run then.
 * The benchmark folder (holding instances/ and reference-values.tsv) is --instances, else the
 * MDGP_DIR environment variable, else ../shared/benchmarks/mdgp next to the project root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateSyntheticCohort,
  type GroupingProblem,
  parseMdgpInstance,
  scoreAssignment,
  solveMdgp,
  type MdgpInstance,
} from '../src/modules/learning-sets/engine/index.ts';
import { MAX_PARALLEL_SEARCHES, solveInWorkers } from '../src/modules/learning-sets/learning-sets.solve.ts';
import { cores, createWorkerPool } from '../src/platform/workers.ts';

const MEAN_GAP_TARGET = 0.1;
const WORST_GAP_TARGET = 0.5;
const COHORT_GAP_TARGET = 0.05;
const COHORT_SECONDS = 2;
const COHORT_LONG_FACTOR = 30;

interface Reference {
  readonly name: string;
  readonly reference: number;
  readonly seconds: number;
}

interface InstanceSummary {
  readonly name: string;
  readonly n: number;
  readonly gaps: number[];
  readonly normalisedGaps: number[];
  violations: number;
}

function main(): number {
  const { quick, folder } = readArguments(process.argv.slice(2));
  const seeds = quick ? [1] : [1, 2, 3];
  const timeScale = quick ? 0.1 : 1;
  const { references, instanceFolder } = loadReferences(folder);
  console.log(
    `MDGPLIB benchmark: ${references.length} instances from ${instanceFolder}, seeds ${seeds.join(',')}`,
  );
  console.log(`time limits x${timeScale}${quick ? ' (quick mode: targets reported, not enforced)' : ''}\n`);

  const summaries: InstanceSummary[] = [];
  const total = references.length * seeds.length;
  let done = 0;
  for (const ref of references) {
    const instance = parseMdgpInstance(readFileSync(path.join(instanceFolder, `${ref.name}.txt`), 'utf8'));
    const summary: InstanceSummary = {
      name: ref.name,
      n: instance.n,
      gaps: [],
      normalisedGaps: [],
      violations: 0,
    };
    for (const seed of seeds) {
      const result = solveMdgp(instance, { seed, timeLimitMs: ref.seconds * 1000 * timeScale });
      done++;
      let objective: number;
      try {
        objective = scoreAssignment(instance, result.assignment);
      } catch (error) {
        summary.violations++;
        console.log(`[${done}/${total}] ${ref.name} seed ${seed}: INVALID: ${(error as Error).message}`);
        continue;
      }
      const gap = (100 * (ref.reference - objective)) / ref.reference;
      const randomValue = expectedRandomObjective(instance, result.assignment);
      summary.gaps.push(gap);
      summary.normalisedGaps.push((100 * (ref.reference - objective)) / (ref.reference - randomValue));
      console.log(
        `[${done}/${total}] ${ref.name} seed ${seed}: ${objective.toFixed(3)} gap ${gap.toFixed(3)}% ` +
          `(${(result.elapsedMs / 1000).toFixed(1)} s, ${result.iterations} iterations, best at ${(result.timeToBestMs / 1000).toFixed(1)} s)`,
      );
    }
    summaries.push(summary);
  }
  const failures = reportInstances(summaries, quick);
  failures.push(...runCohortScenario(quick));
  if (failures.length > 0) {
    console.log(`\nFAIL: ${failures.join('; ')}`);
    return 1;
  }
  console.log('\nPASS');
  return 0;
}

function readArguments(args: string[]): { quick: boolean; folder: string } {
  let quick = false;
  let folder: string | undefined;
  for (let k = 0; k < args.length; k++) {
    if (args[k] === '--quick') quick = true;
    else if (args[k] === '--instances' && args[k + 1]) folder = args[++k];
    else throw new Error(`unknown argument "${args[k]}"; usage: bench/sets.ts [--quick] [--instances DIR]`);
  }
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  folder ??= process.env.MDGP_DIR ?? path.resolve(projectRoot, '../shared/benchmarks/mdgp');
  return { quick, folder: path.resolve(folder) };
}

/** Accepts the benchmark folder or its instances/ subfolder. */
function loadReferences(folder: string): { references: Reference[]; instanceFolder: string } {
  const base = existsSync(path.join(folder, 'reference-values.tsv')) ? folder : path.dirname(folder);
  const tsv = path.join(base, 'reference-values.tsv');
  if (!existsSync(tsv)) throw new Error(`reference-values.tsv not found in ${folder} or its parent`);
  const instanceFolder = existsSync(path.join(base, 'instances')) ? path.join(base, 'instances') : folder;
  const [header, ...rows] = readFileSync(tsv, 'utf8').trim().split(/\r?\n/);
  const columns = header!.split('\t');
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${tsv}: no "${name}" column`);
    return index;
  };
  const [nameCol, refCol, timeCol] = [at('instance'), at('reference'), at('time_limit_s')];
  const references = rows.map((row) => {
    const fields = row.split('\t');
    return { name: fields[nameCol]!, reference: Number(fields[refCol]), seconds: Number(fields[timeCol]) };
  });
  return { references, instanceFolder };
}

/**
 * Expected objective of a random partition with the same group sizes: each within-group pair is
 * then an average pair of the instance.
 */
function expectedRandomObjective(instance: MdgpInstance, assignment: readonly number[]): number {
  const { n, m, distances } = instance;
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sum += distances[i * n + j]!;
  const meanPair = sum / ((n * (n - 1)) / 2);
  const sizes = new Array<number>(m).fill(0);
  for (const g of assignment) sizes[g]!++;
  return meanPair * sizes.reduce((pairs, s) => pairs + (s * (s - 1)) / 2, 0);
}

function reportInstances(summaries: InstanceSummary[], quick: boolean): string[] {
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  console.log('\ninstance               n   mean gap  worst gap  mean norm. gap');
  for (const s of summaries) {
    console.log(
      `${s.name.padEnd(20)} ${String(s.n).padStart(4)}  ${mean(s.gaps).toFixed(3).padStart(7)}%  ` +
        `${Math.max(...s.gaps)
          .toFixed(3)
          .padStart(8)}%  ${mean(s.normalisedGaps).toFixed(3).padStart(13)}%` +
        (s.violations > 0 ? `  ${s.violations} INVALID` : ''),
    );
  }
  const gaps = summaries.flatMap((s) => s.gaps);
  const meanGap = mean(gaps);
  const worstGap = Math.max(...gaps);
  const normalised = summaries.flatMap((s) => s.normalisedGaps);
  console.log(
    `${'overall'.padEnd(25)} ${meanGap.toFixed(3).padStart(7)}%  ${worstGap.toFixed(3).padStart(8)}%  ` +
      `${mean(normalised).toFixed(3).padStart(13)}%   (targets: mean <= ${MEAN_GAP_TARGET}%, worst <= ${WORST_GAP_TARGET}%)`,
  );
  const failures: string[] = [];
  const violations = summaries.reduce((s, x) => s + x.violations, 0);
  if (violations > 0) failures.push(`${violations} runs broke size bounds`);
  if (!quick && meanGap > MEAN_GAP_TARGET)
    failures.push(`mean gap ${meanGap.toFixed(3)}% > ${MEAN_GAP_TARGET}%`);
  if (!quick && worstGap > WORST_GAP_TARGET)
    failures.push(`worst gap ${worstGap.toFixed(3)}% > ${WORST_GAP_TARGET}%`);
  return failures;
}

/** 120 synthetic people into sets of 6-8 with rules: the short budget against a 30x longer one. */
function runCohortScenario(quick: boolean): string[] {
  const scale = quick ? 0.1 : 1;
  const { problem } = generateSyntheticCohort(120, 2026);
  const m = problem.lower.length;
  console.log(
    `\nrealistic cohort: 120 people into ${m} sets of 6-8, ${problem.avoidTogether?.length ?? 0} same-organisation pairs, ` +
      `${problem.keepApart?.length ?? 0} keep-apart, ${problem.keepTogether?.length ?? 0} keep-together`,
  );
  const shortMs = COHORT_SECONDS * 1000 * scale;
  const short = solveMdgp(problem, { seed: 1, timeLimitMs: shortMs });
  const long = solveMdgp(problem, { seed: 2, timeLimitMs: shortMs * COHORT_LONG_FACTOR });
  const best = Math.max(short.objective, long.objective);
  const gap = (100 * (best - short.objective)) / best;
  console.log(
    `  ${(shortMs / 1000).toFixed(1)} s run: ${short.objective.toFixed(3)} (took ${(short.elapsedMs / 1000).toFixed(2)} s, ` +
      `${short.unmetPreferences.length} same-organisation pairs left)`,
  );
  console.log(
    `  ${((shortMs * COHORT_LONG_FACTOR) / 1000).toFixed(0)} s run: ${long.objective.toFixed(3)} ` +
      `(${long.unmetPreferences.length} same-organisation pairs left)`,
  );
  console.log(`  gap of the short run: ${gap.toFixed(4)}% (target <= ${COHORT_GAP_TARGET}%)`);
  const failures: string[] = [];
  const broken = (problem.keepApart ?? []).filter(
    ([i, j]) => short.assignment[i] === short.assignment[j],
  ).length;
  const split = (problem.keepTogether ?? []).filter(
    (g) => new Set(g.map((i) => short.assignment[i])).size > 1,
  ).length;
  if (broken + split > 0)
    failures.push(`cohort: ${broken} keep-apart and ${split} keep-together rules broken`);
  if (short.unmetPreferences.length > long.unmetPreferences.length) {
    failures.push('cohort: the short run left more same-organisation pairs than the long run');
  }
  if (!quick && gap > COHORT_GAP_TARGET)
    failures.push(`cohort gap ${gap.toFixed(4)}% > ${COHORT_GAP_TARGET}%`);
  if (!quick && short.elapsedMs > COHORT_SECONDS * 1000 + 100)
    failures.push(`cohort run took ${short.elapsedMs.toFixed(0)} ms`);
  return failures;
}

/**
 * One search against k at once, both in worker threads as the app runs them, on the same problems,
 * seeds and budget: the objective ratio (k/1, higher is better) and the wall-clock ratio.
 */
async function runParallelScenario(quick: boolean, folder: string | null): Promise<string[]> {
  const k = Math.min(cores(), MAX_PARALLEL_SEARCHES);
  const pool = createWorkerPool({ maxThreads: k });
  const budgets = quick ? [200] : [500, 2000];
  const rounds = quick ? 2 : 4;
  const problems: { name: string; problem: GroupingProblem }[] = [
    { name: 'cohort 120', problem: generateSyntheticCohort(120, 2026).problem },
    { name: 'cohort 240', problem: generateSyntheticCohort(240, 7).problem },
  ];
  if (folder) {
    const { instanceFolder } = loadReferences(folder);
    for (const name of ['RanReal_n240_ss_01', 'Geo_n240_ss_01']) {
      const file = path.join(instanceFolder, `${name}.txt`);
      if (existsSync(file)) problems.push({ name, problem: parseMdgpInstance(readFileSync(file, 'utf8')) });
    }
  }
  console.log(`\nparallel searches: 1 against ${k} (cores ${cores()}), worker threads, ${rounds} seeds each`);
  // Warm the threads (under tsx each compiles the engine once) so neither side pays for it.
  await solveInWorkers(pool, problems[0]!.problem, { seed: 1, timeLimitMs: 50, searches: k });
  console.log('problem              budget   1 search    k searches  ratio     wall 1   wall k   wall ratio');
  const failures: string[] = [];
  const ratios: number[] = [];
  const wallRatios: number[] = [];
  for (const { name, problem } of problems) {
    for (const budget of budgets) {
      let one = 0;
      let many = 0;
      let unmetOne = 0;
      let unmetMany = 0;
      let wallOne = 0;
      let wallMany = 0;
      for (let r = 0; r < rounds; r++) {
        const seed = 101 + r * 13;
        let t = performance.now();
        const a = await solveInWorkers(pool, problem, { seed, timeLimitMs: budget, searches: 1 });
        wallOne += performance.now() - t;
        t = performance.now();
        const b = await solveInWorkers(pool, problem, { seed, timeLimitMs: budget, searches: k });
        wallMany += performance.now() - t;
        one += a.objective;
        many += b.objective;
        unmetOne += a.unmetPreferences.length;
        unmetMany += b.unmetPreferences.length;
      }
      // Fewer same-organisation pairs outranks diversity: the ratio compares like with like.
      if (unmetMany > unmetOne)
        failures.push(`${name} at ${budget} ms: k searches left more same-organisation pairs`);
      const ratio = many / one;
      const wallRatio = wallMany / wallOne;
      ratios.push(ratio);
      wallRatios.push(wallRatio);
      console.log(
        `${name.padEnd(20)} ${String(budget).padStart(5)} ms ${(one / rounds).toFixed(2).padStart(11)} ${(
          many / rounds
        )
          .toFixed(2)
          .padStart(12)}  ${ratio.toFixed(5)}  ${(wallOne / rounds).toFixed(0).padStart(6)}   ${(
          wallMany / rounds
        )
          .toFixed(0)
          .padStart(6)}   ${wallRatio.toFixed(3)}` +
          (unmetOne + unmetMany > 0 ? `   same-organisation pairs left ${unmetOne} / ${unmetMany}` : ''),
      );
    }
  }
  await pool.close();
  const meanRatio = ratios.reduce((x, y) => x + y, 0) / ratios.length;
  const meanWall = wallRatios.reduce((x, y) => x + y, 0) / wallRatios.length;
  console.log(`mean objective ratio ${meanRatio.toFixed(5)}, mean wall-clock ratio ${meanWall.toFixed(3)}`);
  if (meanRatio < 1) failures.push(`parallel searches: mean objective ratio ${meanRatio.toFixed(5)} < 1`);
  if (!quick && meanWall > 1.25) failures.push(`parallel searches took ${meanWall.toFixed(2)}x as long`);
  return failures;
}

if (process.argv.includes('--parallel')) {
  const args = process.argv.slice(2).filter((a) => a !== '--parallel');
  const { quick, folder } = readArguments(args);
  const failures = await runParallelScenario(quick, existsSync(folder) ? folder : null);
  for (const f of failures) console.log(`FAIL: ${f}`);
  process.exitCode = failures.length ? 1 : 0;
} else {
  process.exitCode = main();
  const { quick, folder } = readArguments(process.argv.slice(2));
  const failures = await runParallelScenario(quick, folder);
  for (const f of failures) console.log(`FAIL: ${f}`);
  if (failures.length) process.exitCode = 1;
}
