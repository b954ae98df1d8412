import highsImport from 'highs';
import type { MatchId, MatchingProblem } from '../types.ts';

/** Optimum found by an independent LP solver. */
export interface ReferenceOptimum {
  readonly matched: number;
  readonly objective: number;
}

type Loader = typeof highsImport.default;
type Highs = Awaited<ReturnType<Loader>>;

// The package's types describe its CommonJS build, but Node loads its ES module,
// whose default export is the loader itself.
const loadHighs = (typeof highsImport === 'function' ? highsImport : highsImport.default) as Loader;

let highsPromise: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly solver once per test file. */
export function getHighs(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}

/**
 * Solves the problem with HiGHS in two stages: maximise the number of pairs,
 * then fix that number and maximise the score. Bipartite b-matching with a fixed
 * number of pairs is a network flow, so its LP optimum is integral and the LP
 * values are the true optimum (up to solver tolerance).
 */
export function solveWithHighs(highs: Highs, problem: MatchingProblem): ReferenceOptimum {
  const menteeRow = new Map<MatchId, string[]>();
  const mentorRow = new Map<MatchId, string[]>();
  const pinnedKeys = new Set((problem.pinned ?? []).map(([a, b]) => JSON.stringify([a, b])));
  const bounds: string[] = [];
  const scoreTerms: string[] = [];
  problem.scores.forEach(([mentee, mentor, score], p) => {
    const x = `x${p}`;
    pushTo(menteeRow, mentee, x);
    pushTo(mentorRow, mentor, x);
    const pinned = pinnedKeys.has(JSON.stringify([mentee, mentor]));
    bounds.push(pinned ? ` ${x} = 1` : ` 0 <= ${x} <= 1`);
    scoreTerms.push(`${score < 0 ? '-' : '+'} ${Math.abs(score)} ${x}`);
  });
  if (problem.scores.length === 0) return { matched: 0, objective: 0 };
  const rows: string[] = [];
  problem.mentees.forEach((id, i) => addRow(rows, `e${i}`, menteeRow.get(id), 1));
  problem.mentors.forEach((m, j) => addRow(rows, `m${j}`, mentorRow.get(m.id), m.capacity));
  const all = problem.scores.map((_, p) => `x${p}`).join(' + ');
  const count = solveLp(
    highs,
    `Maximize\n obj: ${all}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd`,
  );
  const matched = Math.round(count);
  rows.push(` card: ${all} = ${matched}`);
  const objective = solveLp(
    highs,
    `Maximize\n obj: ${scoreTerms.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd`,
  );
  return { matched, objective };
}

function pushTo(map: Map<MatchId, string[]>, key: MatchId, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addRow(rows: string[], name: string, terms: string[] | undefined, limit: number): void {
  if (terms && terms.length > 0) rows.push(` ${name}: ${terms.join(' + ')} <= ${limit}`);
}

function solveLp(highs: Highs, model: string): number {
  const result = highs.solve(model, {
    output_flag: false,
    primal_feasibility_tolerance: 1e-10,
    dual_feasibility_tolerance: 1e-10,
  });
  if (result.Status !== 'Optimal') throw new Error(`HiGHS status ${result.Status}`);
  return result.ObjectiveValue;
}
