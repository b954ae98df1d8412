/**
 * Action-learning set formation engine: the Maximally Diverse Grouping Problem with the hard and
 * soft rules real cohorts need. Pure computation, no I/O.
 */
export { solveMdgp } from './solve.ts';
export { parseMdgpInstance } from './parse.ts';
export { scoreAssignment } from './score.ts';
export { buildDiversityMatrix, describeGroupDiversity, listSameValuePairs } from './diversity.ts';
export type {
  AttributeSpread,
  AttributeValue,
  DiversityAttribute,
  GroupDiversity,
  PersonAttributes,
} from './diversity.ts';
export { generateSyntheticCohort, SYNTHETIC_COHORT_ATTRIBUTES } from './synthetic-cohort.ts';
export type { SyntheticCohort } from './synthetic-cohort.ts';
export {
  InfeasibleError,
  InvalidAssignmentError,
  InvalidProblemError,
  LearningSetsError,
  MdgpParseError,
} from './errors.ts';
export type {
  GroupingProblem,
  MdgpInstance,
  PersonPair,
  SolveOptions,
  SolveProgress,
  SolveResult,
} from './types.ts';
