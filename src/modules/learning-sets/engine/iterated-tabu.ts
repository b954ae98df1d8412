import { performance } from 'node:perf_hooks';
import { combineSolutions, ElitePool } from './elite-pool.ts';
import { randomInt, type Rng } from './rng.ts';
import { ONE_MOVE, SearchState, type CoreProblem } from './search-state.ts';

/** Knobs of the iterated tabu search; the defaults were tuned (lightly) on MDGPLIB. */
export interface TabuParameters {
  /** A tabu phase ends after this many iterations without improving its own best. */
  readonly stallIterations: number;
  /** Tabu tenure is drawn uniformly from [minTenure, maxTenure] for each move. */
  readonly minTenure: number;
  readonly maxTenure: number;
  /** Random swaps/moves applied to the best solution before each new phase. */
  readonly perturbStrength: number;
  /** Probability that a perturbation also moves a block of people between two groups (ds only). */
  readonly shiftProbability: number;
  /** Share of perturbation steps that move one person rather than swap two (when sizes allow). */
  readonly moveShare: number;
  /** Number of elite solutions kept for recombination (0 disables it). */
  readonly eliteSize: number;
  /** Probability that a restart recombines the best solution with an elite one. */
  readonly combineProbability: number;
}

export interface SearchBudget {
  /** performance.now() value at which to stop. */
  readonly deadline: number;
  readonly maxIterations: number;
  /** Called at clock checks; returning false stops the search. */
  readonly onCheck?: (iteration: number, bestObjective: number) => boolean;
}

export interface SearchOutcome {
  readonly best: Int32Array;
  readonly bestObjective: number;
  readonly iterations: number;
  /** performance.now() at which `best` was found. */
  readonly bestFoundAt: number;
}

/** performance.now() is cheap but not free; every 128 iterations keeps the overshoot to a few ms. */
const CHECK_MASK = 127;

/** Chooses default parameters from the problem's shape. */
export function chooseParameters(problem: CoreProblem): TabuParameters {
  const { n, m } = problem;
  const groupSize = n / m;
  return {
    stallIterations: Math.max(200, Math.round(20 * n)),
    minTenure: Math.max(2, Math.round(0.5 * groupSize)),
    maxTenure: Math.max(4, Math.round(1.5 * groupSize)),
    perturbStrength: Math.max(2, Math.round(0.1 * n)),
    shiftProbability: 0.5,
    moveShare: 0.5,
    eliteSize: 6,
    combineProbability: 0.5,
  };
}

/** Mutable state of one run, shared by the phase loop and its helpers. */
interface Run {
  readonly state: SearchState;
  readonly params: TabuParameters;
  readonly budget: SearchBudget;
  readonly rng: Rng;
  /** Best solution of the current phase. */
  readonly phaseBest: Int32Array;
  iteration: number;
  stopped: boolean;
  /** Best objective of the whole run, for progress reports. */
  bestObjective: number;
}

/**
 * Iterated tabu search with recombination. A best-improvement tabu search over one-item moves
 * and swaps runs until it stalls (a phase); the next phase starts from the best solution so far,
 * either perturbed at random or recombined with one of the elite solutions. Anytime: stops only
 * when the budget runs out, and always returns the best solution seen.
 */
export function runIteratedTabuSearch(
  problem: CoreProblem,
  initial: Int32Array,
  rng: Rng,
  budget: SearchBudget,
  params: TabuParameters = chooseParameters(problem),
): SearchOutcome {
  const state = new SearchState(problem, rng);
  state.load(initial);
  const run: Run = {
    state,
    params,
    budget,
    rng,
    phaseBest: new Int32Array(problem.n),
    iteration: 0,
    stopped: budget.maxIterations <= 0,
    bestObjective: state.objective,
  };
  const best = Int32Array.from(initial);
  let bestFoundAt = performance.now();
  const pool = new ElitePool(params.eliteSize);
  const child = new Int32Array(problem.n);

  while (!run.stopped) {
    const phaseObjective = runTabuPhase(run);
    if (phaseObjective > run.bestObjective + tolerance(run.bestObjective)) {
      run.bestObjective = phaseObjective;
      best.set(run.phaseBest);
      bestFoundAt = performance.now();
    }
    if (run.stopped) break;
    pool.offer(run.phaseBest, phaseObjective, tolerance(phaseObjective));
    const mate = pool.size > 1 && rng() < params.combineProbability ? pool.pick(rng) : null;
    if (mate !== null && !sameSolution(mate, best) && combineSolutions(problem, best, mate, rng, child)) {
      state.load(child);
    } else {
      state.load(best);
      state.allowMoves = !(rng() < params.shiftProbability && shiftBlock(state, rng));
      perturb(state, params.perturbStrength, params.moveShare, rng);
    }
  }
  return { best, bestObjective: run.bestObjective, iterations: run.iteration, bestFoundAt };
}

/**
 * Runs tabu search from the current state until `stallIterations` pass without improving the
 * phase's best, or the budget runs out. Leaves that best in `run.phaseBest` and returns its value.
 */
function runTabuPhase(run: Run): number {
  const { state, params, budget, rng } = run;
  let phaseObjective = state.objective;
  run.phaseBest.set(state.assign);
  let idle = 0;
  for (;;) {
    if (idle >= params.stallIterations) {
      // A new size profile is first polished with sizes frozen, or moves would undo it at once.
      if (state.allowMoves) break;
      state.allowMoves = true;
      idle = 0;
    }
    if (!state.selectMove(run.iteration, phaseObjective + tolerance(phaseObjective))) {
      run.stopped = true;
      break;
    }
    applyChosen(state, run.iteration, params, rng);
    run.iteration++;
    if (state.objective > phaseObjective + tolerance(phaseObjective)) {
      phaseObjective = state.objective;
      run.phaseBest.set(state.assign);
      idle = 0;
    } else {
      idle++;
    }
    if (
      run.iteration >= budget.maxIterations ||
      ((run.iteration & CHECK_MASK) === 0 && outOfTime(run, phaseObjective))
    ) {
      run.stopped = true;
      break;
    }
  }
  state.allowMoves = true;
  return phaseObjective;
}

/** Checks the clock and lets the caller's progress callback stop the run. */
function outOfTime(run: Run, phaseObjective: number): boolean {
  const { budget } = run;
  if (performance.now() >= budget.deadline) return true;
  return (
    budget.onCheck !== undefined &&
    !budget.onCheck(run.iteration, Math.max(run.bestObjective, phaseObjective))
  );
}

function sameSolution(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Improvements smaller than this are rounding noise from the incremental sums. */
function tolerance(value: number): number {
  return 1e-9 * Math.max(1, Math.abs(value));
}

/** Applies the move chosen by `selectMove` and forbids the moved items from going straight back. */
function applyChosen(state: SearchState, iter: number, params: TabuParameters, rng: Rng): void {
  const m = state.m;
  const i = state.chosenI;
  const j = state.chosenJ;
  const from = state.assign[i]!;
  const span = params.maxTenure - params.minTenure + 1;
  if (state.chosenKind === ONE_MOVE) {
    state.applyMove(i, j);
    state.tabu[i * m + from] = iter + params.minTenure + randomInt(rng, span);
  } else {
    const to = state.assign[j]!;
    state.applySwap(i, j);
    state.tabu[i * m + from] = iter + params.minTenure + randomInt(rng, span);
    state.tabu[j * m + to] = iter + params.minTenure + randomInt(rng, span);
  }
}

/** Applies `strength` random feasible swaps or moves, whatever they cost. */
function perturb(state: SearchState, strength: number, moveShare: number, rng: Rng): void {
  const { n, m } = state;
  let done = 0;
  // Bounded attempts: with tight bounds and mixed weights many random picks are infeasible.
  for (let attempt = 0; done < strength && attempt < strength * 20; attempt++) {
    const i = randomInt(rng, n);
    if (rng() >= moveShare) {
      const j = randomInt(rng, n);
      if (state.canSwap(i, j)) {
        state.applySwap(i, j);
        done++;
      }
    } else {
      const q = randomInt(rng, m);
      if (state.canMove(i, q)) {
        state.applyMove(i, q);
        done++;
      }
    }
  }
}

/**
 * Drives one random group to its upper bound (taking people from any group with room to spare)
 * or to its lower bound (sending people wherever there is room), each time moving the person
 * whose move costs least. The objective is roughly convex in the group sizes, so which groups are
 * "big" is a decision that single moves cannot revisit: shrinking a big group is uphill all the
 * way down. This is the move that lets the search compare size profiles.
 */
function shiftBlock(state: SearchState, rng: Rng): boolean {
  const { n, m, size, lower, upper, weight, members, gain, count } = state;
  const target = randomInt(rng, m);
  const grow = rng() < 0.5;
  let moved = false;
  for (;;) {
    let bestItem = -1;
    let bestTo = -1;
    let bestDelta = -Infinity;
    for (let other = 0; other < m; other++) {
      if (other === target) continue;
      const from = grow ? other : target;
      const to = grow ? target : other;
      const room = Math.min(upper[to]! - size[to]!, size[from]! - lower[from]!);
      if (room <= 0) continue;
      for (let k = 0; k < count[from]!; k++) {
        const i = members[from * n + k]!;
        if (weight[i]! > room) continue;
        const delta = gain[i * m + to]! - gain[i * m + from]!;
        if (delta > bestDelta) {
          bestDelta = delta;
          bestItem = i;
          bestTo = to;
        }
      }
    }
    if (bestItem < 0) return moved;
    state.applyMove(bestItem, bestTo);
    moved = true;
  }
}
