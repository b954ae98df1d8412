import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import type { FileStore } from '../../platform/file-store.ts';
import { createKnowledgeAccess } from './knowledge.access.ts';
import { itemsApi } from './knowledge.items.api.ts';
import { discussionApi } from './knowledge.discussion.api.ts';
import { discussionPages } from './knowledge.discussion.pages.ts';
import { createDiscussion } from './knowledge.discussion.ts';
import { createFollows } from './knowledge.follows.ts';
import { moderationApi } from './knowledge.moderation.api.ts';
import { moderationPages } from './knowledge.moderation.pages.ts';
import { createModeration } from './knowledge.moderation.ts';
import { itemsPages } from './knowledge.items.pages.ts';
import { createItems } from './knowledge.items.ts';
import { filesApi } from './knowledge.files.api.ts';
import { filesPages } from './knowledge.files.pages.ts';
import { createKnowledgeFiles } from './knowledge.files.ts';
import { sharePages } from './knowledge.share.pages.ts';
import { createKnowledgeShare } from './knowledge.share.ts';
import { createKnowledgeSearch } from './knowledge.search.ts';
import { searchApi } from './knowledge.search.api.ts';
import { searchPages } from './knowledge.search.pages.ts';
import { createMeasures } from './knowledge.measures.ts';
import { ADOPTION_MEASURES, ITEM_MEASURES, measuresPages } from './knowledge.measures.pages.ts';
import { ADOPTION_MEASURES_API, ITEM_MEASURES_API, measuresApi } from './knowledge.measures.api.ts';
import { createAdoptions } from './knowledge.adoptions.ts';
import { adoptionsPages } from './knowledge.adoptions.pages.ts';
import { adoptionsApi } from './knowledge.adoptions.api.ts';
import { createKnowledgeOrganisations } from './knowledge.organisations.ts';
import { organisationsPages } from './knowledge.organisations.pages.ts';
import { organisationsApi } from './knowledge.organisations.api.ts';
import { createDigests } from './knowledge.digests.ts';
import { createFreshness } from './knowledge.freshness.ts';
import { freshnessApi } from './knowledge.freshness.api.ts';
import { freshnessPages } from './knowledge.freshness.pages.ts';
import { createKnowledgeSynonyms } from './knowledge.synonyms.ts';
import { synonymsApi } from './knowledge.synonyms.api.ts';
import { synonymsPages } from './knowledge.synonyms.pages.ts';

export { knowledgeDataRights } from './knowledge.data-rights.ts';
export { knowledgeDemoStep } from './knowledge.demo.ts';
export { indexItem, indexPost, ITEM_SEARCH_VECTOR } from './knowledge.search-index.ts';
export { followItemInTransaction } from './knowledge.follows.ts';
export { isStale } from './knowledge.freshness.ts';
export type { ItemKind, ItemStatus, ItemVisibility } from './knowledge.table.ts';

/**
 * Knowledge for clinicians and their organisations: the library (resources, improvement case
 * studies, innovations, guidance summaries) with versions, files and share links; the
 * organisations involved and the adoptions that show where an idea has travelled; discussion with
 * moderation; search that understands clinical words; and freshness reminders.
 */
export async function knowledgeModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; pool: WorkerPool; jobs: EngineJobs; files: FileStore },
) {
  const { db } = opts;
  const access = createKnowledgeAccess({ db });

  // Items: the library, case studies with PDSA cycles, versions, topics, organisations.
  const items = createItems({ db, access });
  await itemsPages(app, { items });
  await itemsApi(app, { items });

  // Measures and run charts, adoptions and spread, organisation pages, digests, freshness.
  const measures = createMeasures({ db, access });
  await measuresPages(app, { measures, mount: ITEM_MEASURES });
  await measuresApi(app, { measures, mount: ITEM_MEASURES_API });
  const adoptions = createAdoptions({ db, access });
  await adoptionsPages(app, { adoptions, measures });
  await adoptionsApi(app, { adoptions });
  // An adoption's own measures: the same pages and operations, managed by whoever recorded it.
  await measuresPages(app, { measures, mount: ADOPTION_MEASURES });
  await measuresApi(app, { measures, mount: ADOPTION_MEASURES_API });
  const organisations = createKnowledgeOrganisations({ db, access });
  await organisationsPages(app, { organisations });
  await organisationsApi(app, { organisations });
  // Each organisation's monthly digest for its sponsors, once per organisation and month.
  const digests = createDigests({ db, baseUrl: opts.config.baseUrl });
  app.scheduledTasks.push({
    name: 'knowledge.monthly-digests',
    everyMinutes: 60,
    run: () => digests.sendMonthlyDigests(),
  });
  // Freshness: confirming an item as current; owners asked at the review-by date; a new contact
  // asked for when an item's contact has left the network.
  const freshness = createFreshness({ db, access, baseUrl: opts.config.baseUrl });
  await freshnessPages(app, { freshness });
  await freshnessApi(app, { freshness });
  app.scheduledTasks.push({
    name: 'knowledge.freshness',
    everyMinutes: 60,
    run: async () => ({
      reviewsAsked: await freshness.sendReviewReminders(),
      contactsAsked: await freshness.askForNewContacts(),
    }),
  });

  // Discussion and moderation.
  const discussion = createDiscussion({ db, access, baseUrl: opts.config.baseUrl });
  const follows = createFollows({ db, access });
  const moderation = createModeration({ db, access, discussion, baseUrl: opts.config.baseUrl });
  await discussionPages(app, { discussion, follows });
  await discussionApi(app, { discussion, follows });
  await moderationPages(app, { moderation });
  await moderationApi(app, { moderation });

  // Search and the clinical synonym layer.
  const search = createKnowledgeSearch({ db, access });
  await searchPages(app, { search });
  await searchApi(app, { search });
  const synonyms = createKnowledgeSynonyms({ db });
  await synonymsPages(app, { synonyms });
  await synonymsApi(app, { synonyms });

  // Files and share links.
  const files = createKnowledgeFiles({
    db,
    access,
    store: opts.files,
    maxBytes: opts.config.files.maxBytes,
    log: app.log,
  });
  const share = createKnowledgeShare({ db, access, files, baseUrl: opts.config.baseUrl });
  await filesPages(app, { files });
  await sharePages(app, { share, rateLimitPerMinute: opts.config.rateLimitPerMinute });
  await filesApi(app, { files, share });

  void app;
  void access;
}
