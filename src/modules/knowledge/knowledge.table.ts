import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;
/** tsvector columns are written with SQL (to_tsvector) and never read back as values. */
type TsVector = ColumnType<string, never, never>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type IntArray = ColumnType<number[], number[] | undefined, number[]>;
type Json<T> = ColumnType<T, string, string>;

export type ItemKind = 'resource' | 'case-study' | 'innovation' | 'guidance';
export type ItemStatus = 'draft' | 'published' | 'archived';
export type ItemVisibility = 'public' | 'network' | 'region' | 'groups';
export type CareSetting =
  'acute' | 'community' | 'primary-care' | 'mental-health' | 'ambulance' | 'social-care' | 'other';
export type SpreadStage = 'idea' | 'pilot' | 'local' | 'spreading' | 'national';
export type EvidenceLevel = 'anecdotal' | 'before-after' | 'controlled' | 'evaluated' | 'peer-reviewed';
export type PdsaDecision = 'adopt' | 'adapt' | 'abandon';
export type AdoptionStatus = 'exploring' | 'adopted' | 'adapted' | 'stopped';
export type MeasureKind = 'outcome' | 'process' | 'balancing';
export type PostKind = 'comment' | 'question' | 'reply';
export type PostStatus = 'visible' | 'hidden';
export type StorageKind = 'disk' | 's3';

export interface KnowledgeTopicsTable {
  id: Generated<number>;
  name: string;
  created_at: Generated<Date>;
}

export interface KnowledgeItemsTable {
  id: Generated<number>;
  kind: ItemKind;
  status: Generated<ItemStatus>;
  visibility: Generated<ItemVisibility>;
  region_code: string | null;
  title: string;
  summary: string;
  body: string | null;
  resource_url: string | null;
  problem: string | null;
  baseline: string | null;
  aim: string | null;
  results: string | null;
  cost: string | null;
  care_setting: CareSetting | null;
  spread_stage: SpreadStage | null;
  evidence_level: EvidenceLevel | null;
  contact_user_id: number | null;
  owner_user_id: number | null;
  reviewed_on: NullableDate;
  review_by: NullableDate;
  review_asked_for: NullableDate;
  contact_asked_at: NullableTimestamp;
  /** Kept from knowledge_item_organisations and the topics chosen: search facets on the row. */
  topic_ids: IntArray;
  organisation_ids: IntArray;
  version: Generated<number>;
  search_vector: TsVector;
  published_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type KnowledgeItemRow = Selectable<KnowledgeItemsTable>;

export interface KnowledgeItemOrganisationsTable {
  item_id: number;
  organisation_id: number;
}

export interface KnowledgeItemGroupsTable {
  item_id: number;
  set_id: number;
}

export interface KnowledgeItemVersionsTable {
  id: Generated<number>;
  item_id: number;
  version: number;
  snapshot: Json<Record<string, unknown>>;
  changed_by: number | null;
  changed_at: Generated<Date>;
  note: string | null;
}

export interface KnowledgePdsaCyclesTable {
  id: Generated<number>;
  item_id: number;
  position: number;
  plan: string;
  prediction: string | null;
  happened: string | null;
  decision: PdsaDecision | null;
  started_on: NullableDate;
}

export interface KnowledgeAdoptionsTable {
  id: Generated<number>;
  item_id: number;
  organisation_id: number;
  region_code: string | null;
  status: Generated<AdoptionStatus>;
  adopted_on: DateString;
  notes: string | null;
  recorded_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface KnowledgeMeasuresTable {
  id: Generated<number>;
  item_id: number;
  /** Null for the case study's own measures; else the adoption whose measure it is. */
  adoption_id: number | null;
  position: number;
  kind: MeasureKind;
  name: string;
  unit: string | null;
  description: string | null;
}

export interface KnowledgeMeasureValuesTable {
  id: Generated<number>;
  measure_id: number;
  measured_on: DateString;
  value: number;
  note: string | null;
}

export interface KnowledgeFilesTable {
  id: Generated<number>;
  item_id: number;
  storage: StorageKind;
  storage_key: string;
  filename: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_by: number | null;
  uploaded_at: Generated<Date>;
}

export interface KnowledgePostsTable {
  id: Generated<number>;
  item_id: number;
  parent_id: number | null;
  kind: Generated<PostKind>;
  author_user_id: number | null;
  body: string;
  accepted_reply_id: number | null;
  status: Generated<PostStatus>;
  hidden_by: number | null;
  hidden_at: NullableTimestamp;
  hidden_reason: string | null;
  search_vector: TsVector;
  created_at: Generated<Date>;
  edited_at: NullableTimestamp;
}

export interface KnowledgePostMentionsTable {
  post_id: number;
  user_id: number;
}

export interface KnowledgePostReportsTable {
  id: Generated<number>;
  post_id: number;
  reporter_user_id: number | null;
  reason: string;
  created_at: Generated<Date>;
  resolved_at: NullableTimestamp;
  resolved_by: number | null;
  resolution: 'hidden' | 'kept' | null;
}

export interface KnowledgeFollowsTable {
  item_id: number;
  user_id: number;
  created_at: Generated<Date>;
}

export interface KnowledgeShareLinksTable {
  id: Generated<number>;
  item_id: number;
  token_hash: string;
  created_by: number | null;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
  revoked_by: number | null;
}

export interface KnowledgeSynonymsTable {
  id: Generated<number>;
  terms: TextArray;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

export interface KnowledgeWordsTable {
  word: string;
  documents: Generated<number>;
}

export interface KnowledgeDigestsTable {
  organisation_id: number;
  month: DateString;
  sent_at: Generated<Date>;
  items: number;
}

export interface KnowledgeTables {
  knowledge_topics: KnowledgeTopicsTable;
  knowledge_items: KnowledgeItemsTable;
  knowledge_item_organisations: KnowledgeItemOrganisationsTable;
  knowledge_item_groups: KnowledgeItemGroupsTable;
  knowledge_item_versions: KnowledgeItemVersionsTable;
  knowledge_pdsa_cycles: KnowledgePdsaCyclesTable;
  knowledge_adoptions: KnowledgeAdoptionsTable;
  knowledge_measures: KnowledgeMeasuresTable;
  knowledge_measure_values: KnowledgeMeasureValuesTable;
  knowledge_files: KnowledgeFilesTable;
  knowledge_posts: KnowledgePostsTable;
  knowledge_post_mentions: KnowledgePostMentionsTable;
  knowledge_post_reports: KnowledgePostReportsTable;
  knowledge_follows: KnowledgeFollowsTable;
  knowledge_share_links: KnowledgeShareLinksTable;
  knowledge_synonyms: KnowledgeSynonymsTable;
  knowledge_words: KnowledgeWordsTable;
  knowledge_digests: KnowledgeDigestsTable;
}
