import type { WorkerContext } from '../../platform/workers.ts';
import { type SuggestThemesInput, type SuggestThemesResult, suggestThemes } from './engine/index.ts';

/** The theme-suggestion engine in a worker thread: clustering thousands of answers takes seconds. */
export default function runSuggestThemes(
  input: SuggestThemesInput,
  context: WorkerContext,
): SuggestThemesResult {
  return suggestThemes(input, { cancelled: context.cancelled, report: context.report });
}
