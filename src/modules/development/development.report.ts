import type { RaterGroup } from './development.table.ts';

/**
 * The figures of a 360 report, with the anonymity rules (issue 15):
 * - a rater group is a column of its own only with at least `min` responses; smaller groups are
 *   merged into "Other raters" (and when that would hold only 1 or 2 responses, the smallest separate
 *   group joins it: see anonymiseGroups in development.feedback-report.ts);
 * - every figure (an element's or a domain's, for all raters or for a column) rests on at least
 *   `min` raters who gave a rating there: "not able to say" is no rating, so a column of 3 peers
 *   where two were not able to say shows nothing for that element; a figure on fewer is withheld;
 * - when the withheld columns of a row would leave 1 or 2 raters' answers to be worked out from the
 *   all-raters figure and the columns shown, the smallest shown column is withheld too;
 * - "not able to say" is reported as a count per element, never as a score;
 * - strengths and areas to develop are ranked only on all-raters figures that are shown.
 */

export type ReportColumn = { key: string; groups: RaterGroup[] };
export type ReportResponse = { id: number; group: RaterGroup };
export type ReportRating = { responseId: number; elementId: number; rating: number };

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One row's figures (an element or a domain): all raters and each column, each with its rater count. */
export function rowFigures(
  elementIds: number[],
  columns: ReportColumn[],
  responses: ReportResponse[],
  ratings: ReportRating[],
  min: number,
): {
  raters: number | null;
  ratedBy: number;
  byColumn: Record<string, number | null>;
  ratedByColumn: Record<string, number>;
} {
  const groupOf = new Map(responses.map((r) => [r.id, r.group]));
  const inRow = ratings.filter((r) => elementIds.includes(r.elementId));
  const cell = (keep: (g: RaterGroup) => boolean) => {
    const values = inRow.filter((r) => keep(groupOf.get(r.responseId)!));
    const raters = new Set(values.map((r) => r.responseId)).size;
    const m = values.length ? values.reduce((s, r) => s + r.rating, 0) / values.length : null;
    return { raters, mean: m === null ? null : round2(m) };
  };
  const all = cell(() => true);
  const cells = columns.map((c) => ({ key: c.key, ...cell((g) => c.groups.includes(g)) }));
  const shown = new Set(cells.filter((c) => c.raters >= min).map((c) => c.key));
  // Complementary withholding: the raters behind withheld cells, if 1 or 2, must not be recoverable
  // as the all-raters figure minus the columns shown.
  const hiddenRaters = () => cells.filter((c) => !shown.has(c.key)).reduce((s, c) => s + c.raters, 0);
  while (shown.size && hiddenRaters() > 0 && hiddenRaters() < min) {
    const smallest = cells.filter((c) => shown.has(c.key)).sort((a, b) => a.raters - b.raters)[0]!;
    shown.delete(smallest.key);
  }
  return {
    raters: all.raters >= min ? all.mean : null,
    ratedBy: all.raters,
    byColumn: Object.fromEntries(cells.map((c) => [c.key, shown.has(c.key) ? c.mean : null])),
    ratedByColumn: Object.fromEntries(cells.map((c) => [c.key, c.raters])),
  };
}

/** Highest and lowest elements on the all-raters figures that are shown (never a withheld one). */
export function rankElements(elements: { name: string; raters: number | null }[], n = 3) {
  const byScore = elements.filter((e) => e.raters !== null).sort((a, b) => b.raters! - a.raters!);
  const strengths = byScore.slice(0, n).map((e) => e.name);
  const gaps = byScore
    .slice(-n)
    .reverse()
    .filter((e) => !strengths.includes(e.name))
    .map((e) => e.name);
  return { strengths, gaps };
}
