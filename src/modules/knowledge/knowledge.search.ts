import type { DB } from '../../db/database.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import { cleanQuery, type QueryClause, queryText, readQuery, tokens } from './knowledge.search-query.ts';
import * as repo from './knowledge.search.repository.ts';
import {
  CARE_SETTINGS,
  ITEM_KINDS,
  KIND_LABELS,
  SETTING_LABELS,
  SPREAD_STAGES,
  STAGE_LABELS,
  type SearchOut,
  type SearchQuery,
} from './knowledge.search.schemas.ts';

export const PAGE_SIZE = 20;
const FACET_OPTIONS_MAX = 20;

const FIELD_LABELS: Record<string, string> = {
  title: 'title',
  summary: 'summary',
  problem: 'problem',
  baseline: 'baseline',
  aim: 'aim',
  results: 'results',
  cost: 'cost',
  body: 'description',
  discussion: 'discussion post',
};

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A headline made safe: the text escaped first, and only then the marks turned into <mark>. */
export function markHeadline(headline: string): string {
  return escapeHtml(headline)
    .replaceAll(repo.MARK_START, '<mark>')
    .replaceAll(repo.MARK_END, '</mark>')
    .trim();
}

type Facet = SearchOut['facets']['kind'];

/**
 * Library search: published items and visible discussion posts the reader may read (the rules of
 * knowledge.access.ts, enforced in the SQL), ranked, with counts for each facet, clinical synonyms
 * and acronyms expanded, a misspelt word corrected when the words as typed find nothing, and for
 * each result the fields and synonyms that matched.
 */
export function createKnowledgeSearch(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  async function search(actor: Actor, input: SearchQuery): Promise<SearchOut> {
    const reader = await access.readerFor(actor);
    const regions = await repo.listRegions(db);
    const regionNames = new Map(regions.map((r) => [r.code, r.name]));
    const unknown = input.region.filter((r) => !regionNames.has(r));
    if (unknown.length)
      throw new ValidationError([{ field: 'region', message: `There is no region ${unknown.join(', ')}` }]);
    const groups = await repo.listSynonymGroups(db);
    const q = cleanQuery(input.q);
    const filters: repo.SearchFilters = {
      kinds: input.kind,
      topics: input.topic,
      settings: input.setting,
      regions: input.region,
      organisations: input.organisation,
      stages: input.stage,
      from: input.from,
      to: input.to,
    };
    const offset = (input.page - 1) * PAGE_SIZE;

    async function run(clauses: QueryClause[]) {
      if (!clauses.length) {
        if (tokens(q).length) return null; // words, but none that can be searched for
        const page = await repo.searchPage(db, {
          query: null,
          access: reader,
          filters,
          limit: PAGE_SIZE,
          offset,
        });
        return { page, any: null, clauses };
      }
      const compiled = await repo.compileQuery(db, clauses);
      if (compiled.nodes === 0) return null;
      const page = await repo.searchPage(db, {
        query: compiled.all,
        access: reader,
        filters,
        limit: PAGE_SIZE,
        offset,
      });
      return { page, any: compiled.any, clauses };
    }

    let clauses = readQuery(q, groups);
    let found = await run(clauses);
    let correctedFrom: string | null = null;
    if (!input.exact && found && found.page.total === 0) {
      const words = clauses
        .filter((c): c is Extract<QueryClause, { kind: 'word' }> => c.kind === 'word')
        .map((c) => c.word)
        .filter((w) => /^\p{L}{3,30}$/u.test(w));
      const nearest = await repo.nearestWords(db, words);
      if (nearest.size) {
        const corrected = readQuery(
          clauses.map((c) => (c.kind === 'word' ? (nearest.get(c.word) ?? c.word) : c.typed)).join(' '),
          groups,
        );
        const retry = await run(corrected);
        // Offered only when the reader finds something with it, so a correction never names a
        // word from an item they may not read.
        if (retry && retry.page.total > 0) {
          correctedFrom = queryText(clauses);
          clauses = corrected;
          found = retry;
        }
      }
    }

    const page = found?.page ?? { rows: [], total: 0, capped: false, counts: emptyCounts() };
    const groupClauses = clauses.filter(
      (c): c is Extract<QueryClause, { kind: 'group' }> => c.kind === 'group',
    );
    const hits = page.rows.length
      ? await repo.describeHits(db, {
          anyQuery: found?.any ?? null,
          terms: groupClauses.flatMap((g) => g.terms),
          items: page.rows.filter((r) => r.type === 'item').map((r) => r.itemId),
          posts: page.rows.filter((r) => r.type === 'post').map((r) => r.postId!),
        })
      : [];
    const hitOf = new Map(hits.map((h) => [h.postId === null ? `i${h.itemId}` : `p${h.postId}`, h]));
    const results = page.rows.flatMap((r) => {
      const h = hitOf.get(r.type === 'item' ? `i${r.itemId}` : `p${r.postId}`);
      if (!h) return [];
      const synonyms = groupClauses
        .map((g) => ({
          typed: g.typed,
          matched: g.terms.filter((t) => h.matchedTerms.includes(t) && tokens(t).join(' ') !== g.typed),
        }))
        .filter((s) => s.matched.length);
      return [
        {
          type: r.type,
          itemId: r.itemId,
          postId: r.postId,
          href:
            r.type === 'item'
              ? `/knowledge/items/${r.itemId}`
              : `/knowledge/items/${r.itemId}/discussion#post-${r.postId}`,
          title: h.title,
          kind: h.kind as SearchOut['results'][number]['kind'],
          stale: h.stale,
          rank: r.rank,
          matchedField: h.fields.length ? h.fields.map((f) => FIELD_LABELS[f] ?? f).join(', ') : null,
          highlight: markHeadline(h.highlight),
          synonyms,
        },
      ];
    });

    const topicNames = new Map(
      (await repo.namesOfTopics(db, topKeys(page.counts.topic, input.topic.map(String)).map(Number))).map(
        (t) => [String(t.id), t.name],
      ),
    );
    const organisationNames = new Map(
      (
        await repo.namesOfOrganisations(
          db,
          topKeys(page.counts.organisation, input.organisation.map(String)).map(Number),
        )
      ).map((o) => [String(o.id), o.name]),
    );

    return {
      q: input.q,
      searchedFor: queryText(clauses),
      correctedFrom,
      results,
      total: page.total,
      capped: page.capped,
      page: input.page,
      pageSize: PAGE_SIZE,
      facets: {
        kind: fixedFacet(ITEM_KINDS, KIND_LABELS, page.counts.kind, input.kind),
        setting: fixedFacet(CARE_SETTINGS, SETTING_LABELS, page.counts.setting, input.setting),
        stage: fixedFacet(SPREAD_STAGES, STAGE_LABELS, page.counts.stage, input.stage),
        region: regions
          .filter((r) => page.counts.region.has(r.code) || input.region.includes(r.code))
          .map((r) => ({
            value: r.code,
            label: r.name,
            count: page.counts.region.get(r.code) ?? 0,
            selected: input.region.includes(r.code),
          })),
        topic: namedFacet(page.counts.topic, input.topic.map(String), topicNames),
        organisation: namedFacet(page.counts.organisation, input.organisation.map(String), organisationNames),
      },
    };
  }

  return { search };
}
export type KnowledgeSearch = ReturnType<typeof createKnowledgeSearch>;

function emptyCounts(): repo.SearchPage['counts'] {
  return {
    kind: new Map(),
    topic: new Map(),
    setting: new Map(),
    region: new Map(),
    organisation: new Map(),
    stage: new Map(),
  };
}

function fixedFacet<V extends string>(
  values: readonly V[],
  labels: Record<V, string>,
  counts: Map<string, number>,
  selected: readonly string[],
): Facet {
  return values.map((v) => ({
    value: v,
    label: labels[v],
    count: counts.get(v) ?? 0,
    selected: selected.includes(v),
  }));
}

/** The values with the most results (and every chosen one). */
function topKeys(counts: Map<string, number>, selected: string[]): string[] {
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, FACET_OPTIONS_MAX)
    .map(([k]) => k);
  return [...new Set([...top, ...selected])];
}

function namedFacet(counts: Map<string, number>, selected: string[], names: Map<string, string>): Facet {
  return topKeys(counts, selected)
    .filter((k) => names.has(k))
    .map((k) => ({
      value: k,
      label: names.get(k)!,
      count: counts.get(k) ?? 0,
      selected: selected.includes(k),
    }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}
