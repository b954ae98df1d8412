/**
 * The knowledge library at scale (issue 18): N items of every kind (resources, improvement case
 * studies, innovations, guidance summaries) with titles, summaries and case-study fields written
 * from clinical vocabulary that uses the shipped synonyms' several names for one thing ("A&E",
 * "ED", "emergency department"; "frail", "frailty"), over every region, care setting, spread stage
 * and topic, with the visibility mix of a live library (public, network, one region, learning sets),
 * drafts and archived items, stale items past their review-by date, PDSA cycles for case studies,
 * the organisations involved, and discussion posts on one published item in five.
 *
 * Everything is made in the database, set-based: each batch of items is one
 * `insert ... select from generate_series(...)` whose words are picked by hashes of the item's
 * number and the seed (reproducible, nothing per item crosses the wire), followed by the batch's
 * cycles, organisations, groups and posts; then the search vectors (the app's own expression,
 * ITEM_SEARCH_VECTOR) and the typo-tolerance words (knowledge_words, from ts_stat) are built in
 * bulk. The tables' secondary indexes are dropped for the load and built again at the end, as a
 * bulk load should; each index is recreated from its own definition, so new ones are kept too.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { ITEM_SEARCH_VECTOR } from '../../src/modules/knowledge/index.ts';
import { progress } from './bulk.ts';

export const KNOWLEDGE_TABLES = [
  'knowledge_items',
  'knowledge_posts',
  'knowledge_pdsa_cycles',
  'knowledge_item_organisations',
  'knowledge_item_groups',
  'knowledge_topics',
  'knowledge_words',
];
/**
 * The tables whose secondary indexes are dropped for the load (the cycles keep theirs: the search
 * vector reads each item's cycles by it).
 */
const LOADED = [
  'knowledge_items',
  'knowledge_posts',
  'knowledge_item_organisations',
  'knowledge_item_groups',
];

/** Conditions and groups of patients, in the several ways clinicians write them. */
const CONDITIONS = [
  'frailty',
  'frail older people',
  'frail elderly patients',
  'COPD',
  'chronic obstructive pulmonary disease',
  'heart failure',
  'cardiac failure',
  'sepsis',
  'suspected sepsis',
  'stroke',
  'TIA',
  'atrial fibrillation',
  'AF',
  'type 2 diabetes',
  'diabetes',
  'DKA',
  'hypertension',
  'high blood pressure',
  'chronic kidney disease',
  'AKI',
  'acute kidney injury',
  'UTI',
  'urinary tract infection',
  'falls',
  'hip fracture',
  'delirium',
  'dementia',
  'pressure ulcers',
  'asthma',
  'pneumonia',
  'chest pain',
  'heart attack',
  'myocardial infarction',
  'pulmonary embolism',
  'DVT',
  'cellulitis',
  'end of life care',
  'palliative care',
  'self-harm',
  'psychosis',
  'depression',
  'eating disorders',
  'learning disabilities',
  'long COVID',
  'obesity',
  'alcohol dependence',
  'maternity care',
  'bronchiolitis',
  'childhood asthma',
  'multiple long-term conditions',
];
/** Where care happens, again in the several names of each place. */
const SETTINGS = [
  'the emergency department',
  'A&E',
  'the ED',
  'accident and emergency',
  'same day emergency care',
  'SDEC',
  'the acute medical unit',
  'the AMU',
  'critical care',
  'ICU',
  'general practice',
  'GP surgeries',
  'primary care networks',
  'community nursing',
  'district nursing',
  'care homes',
  'nursing homes',
  'the ambulance service',
  'NHS 111',
  'out of hours services',
  'urgent treatment centres',
  'virtual wards',
  'hospital at home',
  'outpatients',
  'the discharge lounge',
  'mental health crisis teams',
  'inpatient wards',
  'the frailty unit',
  'community pharmacy',
  'social care',
];
const INTERVENTIONS = [
  'A front door frailty team',
  'Nurse-led triage',
  'A discharge to assess pathway',
  'Remote monitoring',
  'A sepsis screening tool',
  'Pharmacist-led medication reviews',
  'A virtual ward',
  'Daily board rounds',
  'Video consultations',
  'Early supported discharge',
  'A falls prevention programme',
  'Advance care planning',
  'A single point of access',
  'Comprehensive geriatric assessment',
  'Rapid access clinics',
  'An enhanced recovery pathway',
  'Peer support workers',
  'Structured handover',
  'Point of care testing',
  'Social prescribing',
  'A NEWS2 escalation protocol',
  'Trusted assessors',
  'Anticipatory care',
  'A deprescribing clinic',
  'Multidisciplinary huddles',
  'Patient-initiated follow-up',
  'A delirium bundle',
  'Self-management education',
  'Digital pulse oximetry',
  'A hydration project',
];
const OUTCOMES = [
  'cut admissions by a fifth',
  'reduced length of stay by two days',
  'halved the wait for assessment',
  'cut readmissions within 30 days',
  'reduced falls on the ward',
  'improved patient experience scores',
  'freed up bed days every month',
  'reduced ambulance conveyances',
  'improved time to antibiotics',
  'reduced delayed discharges',
  'increased the number of people dying in their preferred place',
  'saved clinician time on every shift',
  'reduced unnecessary blood tests',
  'improved medicines reconciliation',
  'cut outpatient waiting lists',
];
const METRICS = [
  'length of stay',
  'time to first assessment',
  'readmission rate',
  'conveyance rate',
  'time to antibiotics',
  'falls per thousand bed days',
  'delayed transfers of care',
  'waiting time',
  'patient satisfaction',
  'staff turnover',
  'medication errors',
  'did not attend rate',
];
const PEOPLE = [
  'consultant geriatricians',
  'advanced clinical practitioners',
  'paramedics',
  'community matrons',
  'clinical pharmacists',
  'physiotherapists',
  'occupational therapists',
  'specialist nurses',
  'GPs',
  'care coordinators',
  'healthcare assistants',
  'junior doctors',
];
const CHANGES = [
  'trained every shift in the new assessment',
  'moved the assessment to the first hour after arrival',
  'shared a single care plan across teams',
  'phoned every patient the day after discharge',
  'added a prompt to the electronic record',
  'met each morning to review every patient',
  'gave patients a direct number to call',
  'ran weekly teaching sessions on the wards',
  'lent patients monitoring kits to use at home',
  'reviewed every prescription against the guideline',
];
const PLACES = [
  'Ashby',
  'Barnsworth',
  'Calderbrook',
  'Dunmere',
  'Eastwick',
  'Fenholt',
  'Glenmoor',
  'Harrowgate',
  'Ivybridge',
  'Kingsmead',
  'Lowerton',
  'Marshfield',
  'Northam',
  'Oakhurst',
  'Pendle Vale',
  'Queensbury',
  'Redcliffe',
  'Stanmore',
  'Thornbury',
  'Upton',
  'Wexcombe',
  'Yardley',
  'Brackenfield',
  'Coldharbour',
  'Draycott',
  'Elmstead',
  'Fairlight',
  'Greystoke',
  'Hollinwood',
  'Kelbrook',
];
const TOPICS = [
  'Frailty',
  'Urgent and emergency care',
  'Patient safety',
  'Quality improvement',
  'Digital health',
  'Health inequalities',
  'Workforce wellbeing',
  'End of life care',
  'Mental health',
  'Long-term conditions',
  'Medicines optimisation',
  'Discharge and flow',
  'Primary care',
  'Children and young people',
  'Maternity',
  'Cancer',
  'Cardiovascular disease',
  'Respiratory',
  'Stroke',
  'Diabetes',
  'Infection prevention',
  'Population health',
  'Leadership',
  'Research and evaluation',
  'Community services',
  'Care homes',
  'Ambulance services',
  'Virtual wards',
  'Sepsis',
  'Falls',
];
const KINDS = ['resource', 'case-study', 'case-study', 'innovation', 'guidance', 'resource', 'case-study'];
const CARE_SETTINGS = [
  'acute',
  'acute',
  'community',
  'primary-care',
  'mental-health',
  'ambulance',
  'social-care',
  'other',
];
const STAGES = ['idea', 'pilot', 'local', 'local', 'spreading', 'national'];
const EVIDENCE = ['anecdotal', 'before-after', 'controlled', 'evaluated', 'peer-reviewed'];
const QUESTIONS = [
  'Did you need extra funding for the',
  'How did you get the consultants on board with the',
  'Has anyone tried this in a rural area with',
  'What did you measure first when you started the',
  'How long did it take before the',
];
const COMMENTS = [
  'We started something similar for',
  'Our team saw the same problem with',
  'Thank you for sharing, we are adapting this for',
  'Worth talking to our pharmacists about',
  'We found the biggest gain was in',
];

/** Every word the generator writes, for knowledge_words. */
function vocabularyText(): string {
  return [
    CONDITIONS,
    SETTINGS,
    INTERVENTIONS,
    OUTCOMES,
    METRICS,
    PEOPLE,
    CHANGES,
    PLACES,
    QUESTIONS,
    COMMENTS,
    [
      'A team at',
      'used',
      'for patients with',
      'and',
      'in',
      'at',
      'for',
      'It',
      'Patients with',
      'waited up to',
      'hours in',
      'before the change',
      'median',
      'was',
      'a week',
      'the month before',
      'To reduce',
      'by',
      'percent within',
      'months',
      'After',
      'the team',
      'Running costs',
      'pounds a year',
      'funded from the',
      'budget',
      'Plan',
      'Predicted',
      'What happened',
      'Guidance on',
      'for clinicians working in',
      'A summary of national guidance with local examples',
      'Slides, templates and a checklist',
      'Led by',
      'with',
      'see the discussion for questions',
    ],
  ]
    .flat()
    .join(' ');
}

const BATCH = 25_000;

/** The secondary indexes of the loaded tables (not those behind a primary key or unique constraint). */
async function secondaryIndexes(db: DB): Promise<{ name: string; definition: string }[]> {
  const res = await sql<{ name: string; definition: string }>`select i.indexname as name,
      i.indexdef as definition
    from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = any(${LOADED}::text[])
      and not exists (select 1 from pg_constraint c where c.conindid =
        (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
    order by i.tablename, i.indexname`.execute(db);
  return res.rows;
}

/**
 * Adds n library items (and what goes with them) to a database that holds bench:data's members.
 * Returns the number of items added.
 */
export async function insertKnowledge(db: DB, seed: number, n: number): Promise<number> {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const members = await sql<{ id: number }>`select user_id as id from member_profiles
    where erased_at is null order by user_id`.execute(db);
  if (!members.rows.length)
    throw new Error('bench:data --knowledge-items needs members: run it with --members');
  const memberIds = members.rows.map((r) => r.id);
  const regions = (
    await sql<{ code: string }>`select code from network_regions order by code`.execute(db)
  ).rows.map((r) => r.code);
  const organisations = (
    await sql<{ id: number }>`select id from organisations where kind = 'trust' order by id`.execute(db)
  ).rows.map((r) => r.id);
  const sets = (
    await sql<{ id: number }>`select id from ls_sets order by id`.execute(db).catch(() => ({
      rows: [] as { id: number }[],
    }))
  ).rows.map((r) => r.id);
  for (const name of TOPICS)
    await sql`insert into knowledge_topics (name) select ${name}
      where not exists (select 1 from knowledge_topics where lower(name) = lower(${name}))`.execute(db);
  const topics = (
    await sql<{ id: number }>`select id from knowledge_topics order by id`.execute(db)
  ).rows.map((r) => r.id);
  const base = (
    await sql<{ n: number }>`select coalesce(max(id), 0)::int as n from knowledge_items`.execute(db)
  ).rows[0]!.n;

  const indexes = await secondaryIndexes(db);
  console.error(
    `Knowledge library: ${n} items for ${memberIds.length} members; dropping ${indexes.length} secondary indexes for the load...`,
  );
  for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(db);

  // The vocabulary and the reference ids, once per statement as arrays.
  const v = sql`(select ${CONDITIONS}::text[] as cond, ${SETTINGS}::text[] as sett,
      ${INTERVENTIONS}::text[] as interv, ${OUTCOMES}::text[] as outc, ${METRICS}::text[] as metr,
      ${PEOPLE}::text[] as people, ${CHANGES}::text[] as chg, ${PLACES}::text[] as place,
      ${KINDS}::text[] as kinds, ${CARE_SETTINGS}::text[] as csets, ${STAGES}::text[] as stages,
      ${EVIDENCE}::text[] as evid, ${QUESTIONS}::text[] as quest, ${COMMENTS}::text[] as comm,
      ${memberIds}::int[] as members, ${regions}::text[] as regions, ${organisations}::int[] as orgs,
      ${topics}::int[] as topics, ${sets}::int[] as sets) v`;
  const salt = seed * 7_919;
  /** A hash of the row's number and k, in [0, 2^31). */
  const h = (k: number, row: RawBuilder<unknown> = sql`g.i`) =>
    sql`(hashint8((${row})::bigint * 131 + ${sql.lit(k + salt)}) & 2147483647)`;
  /** An element of array `a` of v, chosen by hash k. */
  const pick = (a: string, k: number, row?: RawBuilder<unknown>) =>
    sql`v.${sql.raw(a)}[1 + ${h(k, row)} % cardinality(v.${sql.raw(a)})]`;
  const pct = (k: number) => sql`(${h(k)} % 100)`;
  /** Mid-sentence: the first letter small ("a NEWS2 escalation protocol"), acronyms kept. */
  const decap = (x: RawBuilder<unknown>) => sql`(lower(left(${x}, 1)) || substr(${x}, 2))`;

  /** Where the load's time goes, statement by statement (printed at the end). */
  const spent = new Map<string, number>();
  const timed = async (name: string, run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0);
  };

  const bar = progress('knowledge items', n);
  for (let lo = 1; lo <= n; lo += BATCH) {
    const hi = Math.min(n, lo + BATCH - 1);
    bar.update(lo - 1, { stage: 'items' });
    await db.transaction().execute(async (trx) => {
      // Kind, status, visibility and dates first, then the text that depends on them.
      await timed('items', () =>
        sql`insert into knowledge_items (id, kind, status, visibility, region_code, title, summary, body,
          resource_url, problem, baseline, aim, results, cost, care_setting, spread_stage, evidence_level,
          contact_user_id, owner_user_id, reviewed_on, review_by, topic_ids, organisation_ids, version,
          published_at, created_at, updated_at)
        select ${base} + g.i, r.kind, r.status, r.visibility,
          case when r.visibility = 'region' or ${pct(3)} < 90 then ${pick('regions', 4)} end,
          ${pick('interv', 10)} || ' for ' || ${pick('cond', 11)} || ' in ' || ${pick('sett', 12)}
            || case when ${pct(13)} < 40 then ' at ' || ${pick('place', 14)} else '' end,
          'A team at ' || ${pick('place', 15)} || ' used ' || ${decap(pick('interv', 16))} || ' for patients with '
            || ${pick('cond', 17)} || ' in ' || ${pick('sett', 18)} || '. It ' || ${pick('outc', 19)} || '.',
          case when ${pct(20)} < 50 then 'Led by ' || ${pick('people', 21)} || ' with ' || ${pick('people', 22)}
            || ', the team ' || ${pick('chg', 23)} || '. Patients with ' || ${pick('cond', 24)} || ' and '
            || ${pick('cond', 25)} || ' were seen in ' || ${pick('sett', 26)} || '. It ' || ${pick('outc', 27)}
            || '; see the discussion for questions.' end,
          case when r.kind = 'resource' then 'https://www.england.nhs.uk/resources/' || g.i end,
          case when r.kind = 'case-study' then 'Patients with ' || ${pick('cond', 30)} || ' waited up to '
            || (2 + ${h(31)} % 20) || ' hours in ' || ${pick('sett', 32)} || ' and ' || ${pick('metr', 33)}
            || ' was rising.' end,
          case when r.kind = 'case-study' then 'Median ' || ${pick('metr', 34)} || ' was ' || (3 + ${h(35)} % 40)
            || ' a week the month before the change.' end,
          case when r.kind = 'case-study' then 'To reduce ' || ${pick('metr', 36)} || ' by ' || (10 + ${h(37)} % 40)
            || ' percent within ' || (3 + ${h(38)} % 12) || ' months.' end,
          case when r.kind in ('case-study', 'innovation') then 'After ' || (2 + ${h(39)} % 10)
            || ' months the team ' || ${pick('outc', 40)} || '.' end,
          case when r.kind = 'case-study' then 'Running costs ' || (5 + ${h(41)} % 200) || ' thousand pounds a year, funded from the '
            || ${decap(pick('sett', 42))} || ' budget.' end,
          case when r.kind = 'resource' and ${pct(43)} < 40 then null else ${pick('csets', 44)} end,
          case when r.kind in ('case-study', 'innovation') then ${pick('stages', 45)} end,
          case when r.kind in ('case-study', 'innovation') then ${pick('evid', 46)} end,
          r.owner, r.owner,
          r.reviewed_on,
          -- One item in five is past its review-by date (stale).
          case when ${pct(47)} < 20 then r.reviewed_on + 180 else r.reviewed_on + 365 * 3 end,
          array(select v.topics[1 + ${h(48)} % cardinality(v.topics)]
                union select v.topics[1 + ${h(49)} % cardinality(v.topics)] where ${pct(50)} < 60),
          case when cardinality(v.orgs) = 0 then '{}'::int[]
            else array(select v.orgs[1 + ${h(51)} % cardinality(v.orgs)]
                 union select v.orgs[1 + ${h(52)} % cardinality(v.orgs)] where ${pct(53)} < 30) end,
          1,
          case when r.status <> 'draft' then r.created_at + interval '2 days' end,
          r.created_at, r.created_at + interval '3 days'
        from generate_series(${lo}::int, ${hi}::int) g(i) cross join ${v}
        cross join lateral (select ${pick('kinds', 1)} as kind,
          case when ${pct(2)} < 86 then 'published' when ${pct(2)} < 95 then 'draft' else 'archived' end as status,
          case when ${pct(5)} < 10 then 'public' when ${pct(5)} < 66 then 'network'
               when ${pct(5)} < 94 or cardinality(v.sets) = 0 then 'region' else 'groups' end as visibility,
          ${pick('members', 6)} as owner,
          (date '2021-01-01' + (${h(7)} % 2100))::date as reviewed_on,
          timestamptz '2021-01-01' + (${h(8)} % 2100) * interval '1 day' as created_at) r`.execute(trx),
      );

      await timed('cycles', () =>
        sql`insert into knowledge_pdsa_cycles (item_id, position, plan, prediction, happened, decision, started_on)
        select i.id, c.n,
          'Plan ' || c.n || ': ' || ${decap(pick('interv', 60, sql`i.id * 4 + c.n`))} || ' for ' || ${pick('cond', 61, sql`i.id * 4 + c.n`)},
          'Predicted that ' || ${pick('metr', 62, sql`i.id * 4 + c.n`)} || ' would fall',
          'What happened: the team ' || ${pick('outc', 63, sql`i.id * 4 + c.n`)},
          (array['adopt', 'adapt', 'abandon'])[1 + ${h(64, sql`i.id * 4 + c.n`)} % 3],
          i.reviewed_on - 90 + c.n * 30
        from knowledge_items i cross join ${v}
        cross join lateral generate_series(1, 1 + ${h(65, sql`i.id`)} % 3) c(n)
        where i.id between ${base + lo} and ${base + hi} and i.kind = 'case-study'`.execute(trx),
      );

      await timed('organisations', () =>
        sql`insert into knowledge_item_organisations (item_id, organisation_id)
        select i.id, o from knowledge_items i cross join unnest(i.organisation_ids) o
        where i.id between ${base + lo} and ${base + hi}`.execute(trx),
      );

      if (sets.length)
        await timed('groups', () =>
          sql`insert into knowledge_item_groups (item_id, set_id)
          select i.id, v.sets[1 + ${h(70, sql`i.id`)} % cardinality(v.sets)]
          from knowledge_items i cross join ${v}
          where i.id between ${base + lo} and ${base + hi} and i.visibility = 'groups'`.execute(trx),
        );

      // Discussion on one published item in five: a question or a comment.
      // (A post's vector is its text's, as indexPost makes it for a visible post.)
      await timed('posts', () =>
        sql`insert into knowledge_posts (item_id, kind, author_user_id, body, created_at, search_vector)
        select p.item_id, p.kind, p.author, p.body, p.created_at, to_tsvector('english', p.body)
        from (select i.id as item_id, case when ${h(80, sql`i.id`)} % 3 = 0 then 'question' else 'comment' end as kind,
          v.members[1 + ${h(81, sql`i.id`)} % cardinality(v.members)] as author,
          case when ${h(80, sql`i.id`)} % 3 = 0
            then ${pick('quest', 82, sql`i.id`)} || ' ' || ${decap(pick('interv', 83, sql`i.id`))} || ' in '
              || ${pick('sett', 84, sql`i.id`)} || '?'
            else ${pick('comm', 85, sql`i.id`)} || ' ' || ${pick('cond', 86, sql`i.id`)} || ' at '
              || ${pick('place', 87, sql`i.id`)} || '.' end as body,
          i.published_at + interval '5 days' as created_at
        from knowledge_items i cross join ${v}
        where i.id between ${base + lo} and ${base + hi} and i.status = 'published'
          and ${h(88, sql`i.id`)} % 5 = 0) p`.execute(trx),
      );

      // The search vectors, by the app's own expression, for the whole batch at once.
      await timed('vectors', () =>
        sql`update knowledge_items i set search_vector = ${ITEM_SEARCH_VECTOR}
        where i.id between ${base + lo} and ${base + hi}`.execute(trx),
      );
    });
    bar.update(hi, { stage: seconds() });
  }
  bar.stop();
  console.error(
    `  time by statement: ${[...spent].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
  );
  await sql`select setval(pg_get_serial_sequence('knowledge_items', 'id'), (select max(id) from knowledge_items))`.execute(
    db,
  );

  // The words of the library for typo tolerance: each word the generator writes, with its lexeme and
  // the number of documents (items and posts) holding that lexeme, as indexItem and indexPost keep it.
  console.error(`Knowledge words (typo tolerance) from the vectors... (${seconds()})`);
  await sql`insert into knowledge_words (word, lexeme, documents)
    select w.word, w.lexeme, coalesce(s.ndoc, 0)
    from (select word, (tsvector_to_array(to_tsvector('english', word)))[1] as lexeme
          from (select distinct t as word from regexp_split_to_table(lower(${vocabularyText()}), '[^[:alpha:]]+') t
                where char_length(t) between 3 and 30) x) w
    left join (select word as lexeme, ndoc from ts_stat(
      'select search_vector from knowledge_items union all select search_vector from knowledge_posts')) s
      on s.lexeme = w.lexeme
    where w.lexeme is not null and coalesce(s.ndoc, 0) > 0
    on conflict (word) do update set lexeme = excluded.lexeme, documents = excluded.documents`.execute(db);

  const rebuild = progress('knowledge indexes', indexes.length);
  for (const [i, ix] of indexes.entries()) {
    rebuild.update(i, { stage: ix.name });
    await sql.raw(ix.definition).execute(db);
  }
  rebuild.update(indexes.length, { stage: seconds() });
  rebuild.stop();
  console.error(`Knowledge library done in ${seconds()}.`);
  return n;
}
