import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createKnowledgeAccess } from './knowledge.access.ts';

export { knowledgeDataRights } from './knowledge.data-rights.ts';
export { indexItem } from './knowledge.search-index.ts';
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
  opts: { db: DB; config: Config; pool: WorkerPool; jobs: EngineJobs },
) {
  const { db } = opts;
  const access = createKnowledgeAccess({ db });

  // Items: the library, case studies with PDSA cycles, versions, topics, organisations.

  // Measures and run charts, adoptions and spread, organisation pages, digests, freshness.

  // Discussion and moderation.

  // Search and the clinical synonym layer.

  // Files and share links.

  void app;
  void access;
}
