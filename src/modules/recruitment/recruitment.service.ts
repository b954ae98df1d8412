import type { DB } from '../../db/database.ts';
import { createApplications, type RecruitmentConfig } from './recruitment.applications.ts';
import { createDecisions } from './recruitment.decisions.ts';
import { createEndorsement } from './recruitment.endorsement.ts';
import { createIntakes } from './recruitment.intakes.ts';
import { createPlaces } from './recruitment.places.ts';
import { createQuotaFunctions } from './recruitment.quota.ts';

export {
  type ApplicationDetail,
  checkOneLiveApplication,
  newReference,
  type OpenIntakes,
  presentDetail,
  type PublicIntake,
  PRIVACY_NOTICE_VERSION,
  professionLabel,
  type RecruitmentConfig,
} from './recruitment.applications.ts';
export { type DecisionOutcome } from './recruitment.decisions.ts';
export { ENDORSEMENT } from './recruitment.endorsement.ts';

/**
 * Recruitment, composed from its sections: applications (recruitment.applications.ts), sponsor
 * endorsement (recruitment.endorsement.ts), the intakes and their dates (recruitment.intakes.ts), decisions (recruitment.decisions.ts), the places and
 * their waitlist (recruitment.places.ts), the quota (recruitment.quota.ts); the letters it sends
 * are built in recruitment.emails.ts and the SQL lives in recruitment.repository.ts.
 */
export function createRecruitmentService(deps: { db: DB; config: RecruitmentConfig }) {
  const { db } = deps;
  const places = createPlaces(deps);
  const applications = createApplications({ ...deps, places });
  const endorsement = createEndorsement(deps);
  const decisions = createDecisions({ db, places });
  const quota = createQuotaFunctions({ db, fillFreePlaces: places.fillFreePlaces });
  const intakes = createIntakes({ db });
  return { ...applications, ...endorsement, ...decisions, ...quota, ...intakes };
}

export type RecruitmentService = ReturnType<typeof createRecruitmentService>;
