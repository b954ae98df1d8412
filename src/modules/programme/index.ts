import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import { summariseSessionReturns } from '../learning-sets/index.ts';
import type { OpenIntakes } from '../recruitment/index.ts';
import { programmeApi } from './programme.api.ts';
import { type PolicyChannelFigures, programmePages } from './programme.pages.ts';
import { createProgrammeService, type SetRecruitmentTarget } from './programme.service.ts';

export type { PolicyChannelFigures } from './programme.pages.ts';
export type { ProgrammeService, RegionSummary, SetRecruitmentTarget } from './programme.service.ts';
export { createProgrammeService };
export { programmeDataRights } from './programme.data-rights.ts';

/**
 * Regions, phases, the network's partners and the home page. A region's recruitment target is
 * recruitment's to write (it owns the places and their waitlist): `setRecruitmentTarget` is
 * recruitment's `setPlaces`; the home page's way in (intakes taking applications) is recruitment's
 * `describeOpenIntakes`.
 */
export async function programmeModule(
  app: FastifyInstance,
  opts: {
    db: DB;
    config: Config;
    setRecruitmentTarget: SetRecruitmentTarget;
    /** Recruitment's intakes taking applications, for the signed-out home page. */
    openIntakes: () => Promise<OpenIntakes>;
    /** The policy channel's figures for the national dashboard (policy's, passed in by app.ts). */
    policyChannel?: () => Promise<PolicyChannelFigures>;
  },
) {
  const programme = createProgrammeService({ db: opts.db, setRecruitmentTarget: opts.setRecruitmentTarget });
  await programmePages(app, {
    programme,
    sessionReturns: (regionCode) => summariseSessionReturns(opts.db, regionCode),
    openIntakes: opts.openIntakes,
    policyChannel: opts.policyChannel,
  });
  await programmeApi(app, { programme });
}
