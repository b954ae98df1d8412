import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import { summariseSessionReturns } from '../learning-sets/index.ts';
import { programmeApi } from './programme.api.ts';
import { programmePages } from './programme.pages.ts';
import { createProgrammeService } from './programme.service.ts';

export type { ProgrammeService, RegionSummary } from './programme.service.ts';
export { createProgrammeService };
export { programmeDataRights } from './programme.data-rights.ts';

/** Regions, phases, the network's partners and the home page. */
export async function programmeModule(app: FastifyInstance, opts: { db: DB; config: Config }) {
  const programme = createProgrammeService({ db: opts.db });
  await programmePages(app, {
    programme,
    sessionReturns: (regionCode) => summariseSessionReturns(opts.db, regionCode),
  });
  await programmeApi(app, { programme });
}
