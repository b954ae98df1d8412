import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import { membersApi } from './members.api.ts';
import { createMembersCsv } from './members.csv.ts';
import { membersPages } from './members.pages.ts';
import type { AfterErasure, DataRightsContributor } from '../../platform/data-rights.ts';
import { createDataRightsService } from './members.data-rights.ts';
import { createMembersService } from './members.service.ts';

export { registerMembersCli } from './members.cli.ts';
export { membersDemoStep } from './members.demo.ts';
export {
  listCohortMembers,
  listMemberCards,
  type CohortMember,
  type MemberCard,
} from './members.cohort-queries.ts';
export { findMentoringFacts, type MentoringFacts } from './members.mentoring-queries.ts';
export {
  findOrganisationByOdsCode,
  findOrganisationsByOds,
  listOrganisationMembers,
  listOrganisationsByIds,
  type OrganisationFacts,
} from './members.organisation-queries.ts';
export { CURRENT_MEMBERSHIP, findCurrentMember, listFormerMembers } from './members.membership-queries.ts';
export {
  countPolicyAudienceBy,
  findPolicyFacts,
  listPolicyAudienceBatch,
  listPolicyReferenceLists,
  type PolicyAudience,
  type PolicyFacts,
  type PolicyGroup,
} from './members.policy-queries.ts';
export { createMemberProfile, type CreateMemberProfileInput } from './members.service.ts';
export { membersDataRights } from './members.data-rights.ts';

/** Profiles, organisations, the directory, privacy, import/export and data rights. */
export async function membersModule(
  app: FastifyInstance,
  opts: {
    db: DB;
    config: Config;
    dataRights: readonly DataRightsContributor[];
    runAfterErasure?: (after: AfterErasure) => Promise<void>;
  },
) {
  const members = createMembersService({ db: opts.db });
  const dataRights = createDataRightsService({
    db: opts.db,
    contributors: opts.dataRights,
    ...(opts.runAfterErasure ? { runAfterErasure: opts.runAfterErasure } : {}),
  });
  const csv = createMembersCsv(opts.db, members);
  await membersPages(app, { csv, members, dataRights, baseUrl: opts.config.baseUrl });
  await membersApi(app, { csv, members, dataRights });
}
