import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { QueryClause } from './knowledge.search-query.ts';

/**
 * How many matches of each kind (items, posts) are ranked. A common word matches a large share of
 * a national library; ranking and counting every match would read all of them, so search ranks the
 * first matches the index gives (those a person may read, within the chosen facets) and says when
 * there are more ("add words or filters to narrow").
 */
export const CANDIDATE_CAP = 1000;

// Marks around the matched words in a headline: control characters, which the text the headline is
// cut from cannot hold (they are translated away first), so they survive HTML escaping untouched
// and are replaced by <mark> only afterwards.
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

export type SearchAccess = {
  national: boolean;
  userId: number;
  regions: 'all' | string[];
  groupIds: number[];
};
export type SearchFilters = {
  kinds: string[];
  topics: number[];
  settings: string[];
  regions: string[];
  organisations: number[];
  stages: string[];
  from: string | null;
  to: string | null;
};
export const FACETS = ['kind', 'topic', 'setting', 'region', 'organisation', 'stage', 'date'] as const;
type Facet = (typeof FACETS)[number];

/** The tsquery of the clauses: every clause must match (AND); a group matches by any term (OR). */
function tsqueryOf(clauses: readonly QueryClause[], join: 'and' | 'or'): RawBuilder<unknown> {
  const parts = clauses.map((c) =>
    c.kind === 'word'
      ? sql`plainto_tsquery('english', ${c.word})`
      : sql`(${sql.join(
          c.terms.map((t) => sql`phraseto_tsquery('english', ${t})`),
          sql` || `,
        )})`,
  );
  return sql`(${sql.join(parts, join === 'and' ? sql` && ` : sql` || `)})`;
}

/**
 * The query as PostgreSQL's own tsquery text (for every clause, and for any clause), built from
 * parameters; `nodes` is 0 when every word is too common to search for ("the", "and").
 */
export async function compileQuery(
  x: Executor,
  clauses: readonly QueryClause[],
): Promise<{ all: string; any: string; nodes: number }> {
  const all = tsqueryOf(clauses, 'and');
  const any = tsqueryOf(clauses, 'or');
  const res = await sql<{ all: string; any: string; nodes: number }>`select ${all}::text as all,
    ${any}::text as any, numnode(${all})::int as nodes`.execute(x);
  return res.rows[0]!;
}

/** What the reader may read, as SQL over the item `i`: see canReadItem in knowledge.access.ts. */
function readable(a: SearchAccess): RawBuilder<unknown> {
  if (a.national) return sql`i.status = 'published'`;
  const region = a.regions === 'all' ? sql`true` : sql`i.region_code = any(${a.regions}::text[])`;
  const groups = a.groupIds.length
    ? sql`exists (select 1 from knowledge_item_groups g where g.item_id = i.id
        and g.set_id = any(${a.groupIds}::int[]))`
    : sql`false`;
  return sql`i.status = 'published' and (i.visibility in ('public', 'network')
    or i.owner_user_id = ${a.userId}
    or (i.visibility = 'region' and ${region})
    or (i.visibility = 'groups' and ${groups}))`;
}

/** Whether the item `i` (or the post dated `dated`) is within each facet's chosen values. */
function facetTests(f: SearchFilters, dated: RawBuilder<unknown>): Record<Facet, RawBuilder<unknown>> {
  return {
    kind: f.kinds.length ? sql`(i.kind = any(${f.kinds}::text[]))` : sql`true`,
    topic: f.topics.length ? sql`(i.topic_ids && ${f.topics}::int[])` : sql`true`,
    setting: f.settings.length
      ? sql`coalesce(i.care_setting = any(${f.settings}::text[]), false)`
      : sql`true`,
    region: f.regions.length ? sql`coalesce(i.region_code = any(${f.regions}::text[]), false)` : sql`true`,
    organisation: f.organisations.length ? sql`(i.organisation_ids && ${f.organisations}::int[])` : sql`true`,
    stage: f.stages.length ? sql`coalesce(i.spread_stage = any(${f.stages}::text[]), false)` : sql`true`,
    date:
      f.from || f.to
        ? sql`coalesce(${dated} >= coalesce(${f.from}::date, '-infinity'::date)
            and ${dated} < coalesce(${f.to}::date + 1, 'infinity'::date), false)`
        : sql`true`,
  };
}

type Part = {
  part: string;
  type: 'item' | 'post' | null;
  item_id: number | null;
  post_id: number | null;
  rank: number | null;
  key: string | null;
  n: number;
};

export type SearchPage = {
  rows: { type: 'item' | 'post'; itemId: number; postId: number | null; rank: number }[];
  total: number;
  capped: boolean;
  counts: Record<Exclude<Facet, 'date'>, Map<string, number>>;
};

/**
 * One statement: the candidates (matches the reader may read that fail at most one facet, so that
 * each facet's counts can leave out its own filter), the page of results that pass every facet,
 * ranked (stale items, past their review-by date, count half), their total, and each facet's
 * counts for the query and the other facets' filters. Without a query: the newest items.
 */
export async function searchPage(
  x: Executor,
  opts: { query: string | null; access: SearchAccess; filters: SearchFilters; limit: number; offset: number },
): Promise<SearchPage> {
  const { access, filters } = opts;
  const itemTests = facetTests(filters, sql`i.published_at`);
  const postTests = facetTests(filters, sql`p.created_at`);
  const flags = (t: Record<Facet, RawBuilder<unknown>>) =>
    sql.join(
      FACETS.map((k) => sql`${t[k]} as ${sql.ref(`f_${k}`)}`),
      sql`, `,
    );
  const prefilter = (t: Record<Facet, RawBuilder<unknown>>) =>
    sql`(${sql.join(
      FACETS.map((k) => sql`(${t[k]})::int`),
      sql` + `,
    )}) >= ${FACETS.length - 1}`;
  const stale = sql`(case when i.review_by < current_date then 0.5 else 1 end)`;
  const cols = sql`i.kind, i.topic_ids, i.care_setting, i.region_code, i.organisation_ids, i.spread_stage`;
  const cap = CANDIDATE_CAP + 1;
  const candidates = opts.query
    ? sql`(select 'item'::text as type, i.id as item_id, null::int as post_id, ${cols},
          (ts_rank_cd(i.search_vector, q.query) * ${stale})::float8 as rank, i.published_at as on_at, ${flags(itemTests)}
        from knowledge_items i cross join q
        where i.search_vector @@ q.query and ${readable(access)} and ${prefilter(itemTests)}
        limit ${cap})
      union all
      (select 'post'::text, p.item_id, p.id, ${cols},
          (ts_rank_cd(p.search_vector, q.query) * ${stale})::float8, p.created_at, ${flags(postTests)}
        from knowledge_posts p join knowledge_items i on i.id = p.item_id cross join q
        where p.status = 'visible' and p.search_vector @@ q.query and ${readable(access)} and ${prefilter(postTests)}
        limit ${cap})`
    : sql`(select 'item'::text as type, i.id as item_id, null::int as post_id, ${cols},
          0::float8 as rank, i.published_at as on_at, ${flags(itemTests)}
        from knowledge_items i
        where ${readable(access)} and ${prefilter(itemTests)}
        order by i.published_at desc nulls last, i.id desc
        limit ${cap})`;
  const except = (facet: Facet) =>
    sql.join(
      FACETS.filter((k) => k !== facet).map((k) => sql.ref(`f_${k}`)),
      sql` and `,
    );
  const all = sql.join(
    FACETS.map((k) => sql.ref(`f_${k}`)),
    sql` and `,
  );
  const res = await sql<Part>`with q as (select ${opts.query ?? ''}::tsquery as query),
    c as materialized (${candidates}),
    f as materialized (select c.*, (${all}) as ok from c)
    select 'row'::text as part, r.type, r.item_id, r.post_id, r.rank, null::text as key, 0 as n from (
      select * from f where ok order by rank desc, on_at desc nulls last, item_id desc, post_id nulls first
      limit ${opts.limit} offset ${opts.offset}) r
    union all select 'total', null, null, null, null, null, count(*)::int from f where ok
    union all select 'items', null, null, null, null, null, count(*)::int from c where type = 'item'
    union all select 'posts', null, null, null, null, null, count(*)::int from c where type = 'post'
    union all select 'kind', null, null, null, null, kind, count(*)::int from f where ${except('kind')} group by kind
    union all select 'topic', null, null, null, null, t::text, count(*)::int from f cross join unnest(f.topic_ids) t
      where ${except('topic')} group by t
    union all select 'setting', null, null, null, null, care_setting, count(*)::int from f
      where care_setting is not null and ${except('setting')} group by care_setting
    union all select 'region', null, null, null, null, region_code, count(*)::int from f
      where region_code is not null and ${except('region')} group by region_code
    union all select 'organisation', null, null, null, null, o::text, count(*)::int from f cross join unnest(f.organisation_ids) o
      where ${except('organisation')} group by o
    union all select 'stage', null, null, null, null, spread_stage, count(*)::int from f
      where spread_stage is not null and ${except('stage')} group by spread_stage`.execute(x);
  const counts: SearchPage['counts'] = {
    kind: new Map(),
    topic: new Map(),
    setting: new Map(),
    region: new Map(),
    organisation: new Map(),
    stage: new Map(),
  };
  const page: SearchPage = { rows: [], total: 0, capped: false, counts };
  for (const r of res.rows) {
    if (r.part === 'row')
      page.rows.push({ type: r.type!, itemId: r.item_id!, postId: r.post_id, rank: Number(r.rank) });
    else if (r.part === 'total') page.total = r.n;
    else if (r.part === 'items' || r.part === 'posts') page.capped ||= r.n > CANDIDATE_CAP;
    else counts[r.part as keyof SearchPage['counts']].set(r.key!, r.n);
  }
  return page;
}

export type Hit = {
  itemId: number;
  postId: number | null;
  title: string;
  kind: string;
  stale: boolean;
  fields: string[];
  highlight: string;
  matchedTerms: string[];
};

const FIELDS = ['title', 'summary', 'problem', 'baseline', 'aim', 'results', 'cost', 'body'] as const;

/**
 * What a person sees of each result on the page: the title, which fields matched any of the words,
 * a headline from the first of them (marked with MARK_START/MARK_END, not yet escaped), and the
 * synonym terms found in it.
 */
export async function describeHits(
  x: Executor,
  opts: {
    anyQuery: string | null;
    terms: string[];
    items: number[];
    posts: number[];
  },
): Promise<Hit[]> {
  const hits: Hit[] = [];
  const q = opts.anyQuery ?? '';
  if (opts.items.length) {
    const matched = sql.join(
      FIELDS.map(
        (f) =>
          sql`case when ${opts.anyQuery !== null} and to_tsvector('english', coalesce(${sql.ref(`i.${f}`)}, '')) @@ q.query
            then ${f}::text end`,
      ),
      sql`, `,
    );
    const res = await sql<{
      item_id: number;
      title: string;
      kind: string;
      stale: boolean;
      fields: string[];
      matched_terms: string[];
    }>`with q as (select ${q}::tsquery as query)
      select i.id as item_id, i.title, i.kind, coalesce(i.review_by < current_date, false) as stale,
        m.fields,
        array(select t from unnest(${opts.terms}::text[]) t
          where i.search_vector @@ phraseto_tsquery('english', t)) as matched_terms
      from knowledge_items i cross join q
      cross join lateral (select array_remove(array[${matched}], null) as fields) m
      where i.id = any(${opts.items}::int[])`.execute(x);
    // The headline of the first matched field (or the summary), cut in a second pass so that only
    // the chosen field's text is read again.
    const heads = await sql<{ item_id: number; highlight: string }>`with q as (select ${q}::tsquery as query),
      chosen as (select * from unnest(${res.rows.map((r) => r.item_id)}::int[],
        ${res.rows.map((r) => (r.fields[0] === 'title' ? (r.fields[1] ?? 'summary') : (r.fields[0] ?? 'summary')))}::text[]) as c(item_id, field))
      select i.id as item_id, ts_headline('english', translate(case c.field
          when 'problem' then i.problem when 'baseline' then i.baseline when 'aim' then i.aim
          when 'results' then i.results when 'cost' then i.cost when 'body' then i.body
          else i.summary end, ${MARK_START + MARK_END}, '  '),
        q.query, ${HEADLINE_OPTIONS}) as highlight
      from chosen c join knowledge_items i on i.id = c.item_id cross join q`.execute(x);
    const headOf = new Map(heads.rows.map((h) => [h.item_id, h.highlight]));
    for (const r of res.rows)
      hits.push({
        itemId: r.item_id,
        postId: null,
        title: r.title,
        kind: r.kind,
        stale: r.stale,
        fields: r.fields,
        highlight: headOf.get(r.item_id) ?? '',
        matchedTerms: r.matched_terms,
      });
  }
  if (opts.posts.length) {
    const res = await sql<{
      post_id: number;
      item_id: number;
      title: string;
      kind: string;
      stale: boolean;
      highlight: string;
      matched_terms: string[];
    }>`with q as (select ${q}::tsquery as query)
      select p.id as post_id, p.item_id, i.title, i.kind, coalesce(i.review_by < current_date, false) as stale,
        ts_headline('english', translate(p.body, ${MARK_START + MARK_END}, '  '), q.query, ${HEADLINE_OPTIONS}) as highlight,
        array(select t from unnest(${opts.terms}::text[]) t
          where p.search_vector @@ phraseto_tsquery('english', t)) as matched_terms
      from knowledge_posts p join knowledge_items i on i.id = p.item_id cross join q
      where p.id = any(${opts.posts}::int[])`.execute(x);
    for (const r of res.rows)
      hits.push({
        itemId: r.item_id,
        postId: r.post_id,
        title: r.title,
        kind: r.kind,
        stale: r.stale,
        fields: ['discussion'],
        highlight: r.highlight,
        matchedTerms: r.matched_terms,
      });
  }
  return hits;
}

/**
 * For each word that no document of the library holds (neither the word nor its stem), the
 * nearest word that one does (pg_trgm similarity), or null.
 */
export async function nearestWords(x: Executor, words: string[]): Promise<Map<string, string>> {
  if (!words.length) return new Map();
  const res = await sql<{ word: string; suggestion: string | null }>`select w.word,
      (select k.word from knowledge_words k where k.word % w.word and k.word <> w.word
        order by similarity(k.word, w.word) desc, k.documents desc, k.word limit 1) as suggestion
    from unnest(${words}::text[]) as w(word)
    cross join lateral (select (tsvector_to_array(to_tsvector('english', w.word)))[1] as lexeme) l
    where l.lexeme is not null
      and not exists (select 1 from knowledge_words k where k.word = w.word)
      and not exists (select 1 from knowledge_words k where k.lexeme = l.lexeme)`.execute(x);
  return new Map(res.rows.filter((r) => r.suggestion).map((r) => [r.word, r.suggestion!]));
}

export async function listRegions(x: Executor) {
  return x.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function namesOfTopics(x: Executor, ids: number[]) {
  if (!ids.length) return [];
  return x.selectFrom('knowledge_topics').select(['id', 'name']).where('id', 'in', ids).execute();
}

export async function namesOfOrganisations(x: Executor, ids: number[]) {
  if (!ids.length) return [];
  return x.selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute();
}

export async function listSynonymGroups(x: Executor) {
  return x.selectFrom('knowledge_synonyms').select(['id', 'terms']).orderBy('id').execute();
}
