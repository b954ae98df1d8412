import type { DB } from '../../db/database.ts';
import { ConflictError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { closingOf, isOpen, MIN_GROUP_RESPONSES, ownRound } from './development.feedback.ts';
import { rankElements, rowFigures } from './development.report.ts';
import * as repo from './development.repository.ts';
import { RATER_GROUP_LABELS, RATER_GROUPS } from './development.schemas.ts';
import { type Clock, mean, round2 } from './development.shared.ts';
import type { RaterGroup } from './development.table.ts';
import type { Versions } from './development.versions.ts';

/**
 * Which columns a 360 report may show. A group with fewer than 3 responses is merged into
 * "others"; if "others" would then hold only 1 or 2 responses, the smallest separate group joins it
 * too, so no column (and no difference between columns and the total) rests on 1 or 2 people.
 */
export function anonymiseGroups(counts: Record<RaterGroup, number>): {
  separate: RaterGroup[];
  merged: RaterGroup[];
  mergedResponses: number;
  total: number;
} {
  const total = RATER_GROUPS.reduce((s, g) => s + counts[g], 0);
  let separate = RATER_GROUPS.filter((g) => g !== 'other' && counts[g] >= MIN_GROUP_RESPONSES);
  const merged = RATER_GROUPS.filter((g) => !separate.includes(g) && counts[g] > 0);
  let mergedResponses = merged.reduce((s, g) => s + counts[g], 0);
  while (mergedResponses > 0 && mergedResponses < MIN_GROUP_RESPONSES && separate.length) {
    const smallest = [...separate].sort((a, b) => counts[a] - counts[b])[0]!;
    separate = separate.filter((g) => g !== smallest);
    merged.push(smallest);
    mergedResponses += counts[smallest];
  }
  return { separate, merged, mergedResponses, total };
}

/** The 360 report: the member's own, once their round has closed (figures in development.report.ts). */
export function createFeedbackReport(deps: { db: DB; versions: Versions; clock: Clock }) {
  const { db } = deps;
  const { loadVersion } = deps.versions;
  const { today } = deps.clock;

  /** The 360 report, once the round has closed, with the anonymity rules applied. */
  async function getReport(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    const round = await ownRound(db, actor, roundId);
    if (isOpen(round, today())) {
      throw new ConflictError(
        `The report is ready when feedback closes on ${round.closes_on}, so that no answer can be singled out. You can close it early on the feedback page.`,
      );
    }
    const [version, responses, ratings, self] = await Promise.all([
      loadVersion(db, round.version_id),
      repo.selectResponses(db, roundId),
      repo.selectResponseRatings(db, roundId),
      repo.selectLatestSelfOnVersion(db, actor.userId, round.version_id),
    ]);
    const selfRatings = self ? await repo.selectSelfRatings(db, self.id) : [];
    const counts = Object.fromEntries(RATER_GROUPS.map((g) => [g, 0])) as Record<RaterGroup, number>;
    for (const r of responses) counts[r.rater_group]++;
    const plan = anonymiseGroups(counts);
    const enough = plan.total >= MIN_GROUP_RESPONSES;

    type Column = { key: string; label: string; responses: number; groups: RaterGroup[] };
    const columns: Column[] = [];
    if (enough) {
      for (const g of plan.separate)
        columns.push({ key: g, label: RATER_GROUP_LABELS[g], responses: counts[g], groups: [g] });
      if (plan.mergedResponses >= MIN_GROUP_RESPONSES)
        columns.push({
          key: 'others',
          label:
            plan.merged.length === 1 && plan.merged[0] === 'other'
              ? 'Other raters'
              : `Other raters (${plan.merged.map((g) => RATER_GROUP_LABELS[g].toLowerCase()).join(', ')} combined)`,
          responses: plan.mergedResponses,
          groups: plan.merged,
        });
    }

    // Every figure needs MIN_GROUP_RESPONSES raters who rated it ("not able to say" is no rating);
    // see development.report.ts for the rules.
    const answers = responses.map((r) => ({ id: r.id, group: r.rater_group }));
    const given = ratings.map((r) => ({
      responseId: r.response_id,
      elementId: r.element_id,
      rating: r.rating,
    }));
    const selfByElement = new Map(selfRatings.map((r) => [r.element_id, r.rating]));
    const selfMean = (elementIds: number[]) => {
      const m = mean(
        elementIds.map((id) => selfByElement.get(id)).filter((v): v is number => v !== undefined),
      );
      return m === null ? null : round2(m);
    };
    const figures = (elementIds: number[]) => {
      const f = rowFigures(elementIds, enough ? columns : [], answers, given, MIN_GROUP_RESPONSES);
      return {
        self: selfMean(elementIds),
        raters: enough ? f.raters : null,
        byColumn: Object.fromEntries(columns.map((c) => [c.key, f.byColumn[c.key] ?? null])),
        // "Not able to say": raters who answered but rated none of these; a count, never a score.
        notAbleToSay: enough ? plan.total - f.ratedBy : null,
      };
    };

    const domains = version.domains.map((d) => ({ name: d.name, ...figures(d.elements.map((e) => e.id)) }));
    const elements = version.domains.flatMap((d) =>
      d.elements.map((e) => ({ id: e.id, name: e.name, domain: d.name, ...figures([e.id]) })),
    );
    const { strengths, gaps } = rankElements(elements);
    const comments = (pick: (r: (typeof responses)[number]) => string | null) =>
      enough
        ? responses
            .map(pick)
            .filter((c): c is string => !!c)
            .sort((a, b) => a.localeCompare(b))
        : [];
    const closed = closingOf(round, today());
    return {
      roundId: round.id,
      title: round.title,
      closesOn: round.closes_on,
      closedOn: closed.closedOn,
      closedEarly: closed.closedEarly,
      version,
      responses: plan.total,
      enough,
      selfAssessedAt: self?.created_at ?? null,
      scale: version.scale,
      columns: columns.map(({ key, label, responses: n }) => ({ key, label, responses: n })),
      domains,
      elements,
      strengths,
      gaps,
      comments: {
        strengths: comments((r) => r.strengths_comment),
        development: comments((r) => r.development_comment),
      },
    };
  }

  return { getReport };
}
