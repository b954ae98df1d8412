/** A pair of person indexes (0-based). */
export type PersonPair = readonly [number, number];

/**
 * A grouping problem: split people 0..n-1 into `lower.length` groups, group g holding between
 * lower[g] and upper[g] people, maximising the summed pairwise distance inside the groups.
 */
export interface GroupingProblem {
  /** Number of people. */
  readonly n: number;
  /** Symmetric n*n distance matrix, row-major; the diagonal is ignored. */
  readonly distances: Float64Array | readonly number[];
  /** Minimum size of each group; its length is the number of groups. */
  readonly lower: readonly number[];
  /** Maximum size of each group; same length as `lower`. */
  readonly upper: readonly number[];
  /** Hard rule: these two people never share a group. */
  readonly keepApart?: readonly PersonPair[];
  /** Hard rule: each list of people always shares one group. */
  readonly keepTogether?: readonly (readonly number[])[];
  /**
   * Strong preference: these two people do not share a group whenever that can be arranged
   * (for example two members of the same organisation). Outranks diversity, never the hard rules.
   */
  readonly avoidTogether?: readonly PersonPair[];
}

/** An instance in MDGPLIB form: a grouping problem with no extra rules. */
export interface MdgpInstance extends GroupingProblem {
  readonly distances: Float64Array;
  /** Number of groups. */
  readonly m: number;
  /** `ss`: every group has the same size; `ds`: different sizes. */
  readonly kind: 'ss' | 'ds';
  readonly lower: number[];
  readonly upper: number[];
}

/** What the engine reports while it runs. */
export interface SolveProgress {
  /** Tabu iterations done so far. */
  readonly iteration: number;
  readonly elapsedMs: number;
  /** Best diversity found so far (penalties for broken preferences excluded). */
  readonly bestObjective: number;
}

export interface SolveOptions {
  /** Seed of the pseudo-random generator; a seed plus `maxIterations` reproduces a run exactly. */
  readonly seed?: number;
  /** Wall-clock budget in milliseconds; the engine uses all of it. Default 1000 when no budget is set. */
  readonly timeLimitMs?: number;
  /** Iteration budget; use this instead of time when a run must be reproducible. */
  readonly maxIterations?: number;
  /** Called about every `progressIntervalMs`; returning `false` stops the search early. */
  readonly onProgress?: (progress: SolveProgress) => boolean | void;
  /** Minimum time between two `onProgress` calls. Default 250. */
  readonly progressIntervalMs?: number;
}

export interface SolveResult {
  /** Group index (0-based) of each person. */
  readonly assignment: number[];
  /** Members of each group, ascending. */
  readonly groups: number[][];
  /** Summed within-group distance of `assignment`, recomputed from the input matrix. */
  readonly objective: number;
  /** `avoidTogether` pairs that could not be separated. */
  readonly unmetPreferences: PersonPair[];
  readonly iterations: number;
  readonly elapsedMs: number;
  /** When the returned solution was first reached. */
  readonly timeToBestMs: number;
}
