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
