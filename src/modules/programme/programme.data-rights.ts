import type { DataRightsContributor } from '../../platform/data-rights.ts';
import * as repo from './programme.data-rights.repository.ts';

/** Programme: the regions whose pages name the person (lead facilitator, the consultancy's senior manager). */
export const programmeDataRights: DataRightsContributor = {
  module: 'programme',
  title: 'Programme',
  personalColumns: { network_regions: ['senior_manager_name', 'senior_manager_email'] },
  async exportFor(db, subject) {
    const regions = await repo.listRegionsNaming(db, subject.userId, subject.emails);
    return [
      {
        key: 'regionsNamingYou',
        title: 'Regions whose programme pages name you',
        records: regions.map((r) => ({
          region: `${r.name} (${r.code})`,
          leadFacilitator: r.lead_facilitator_user_id === subject.userId,
          seniorManager:
            r.senior_manager_email !== null && subject.emails.includes(r.senior_manager_email.toLowerCase()),
        })),
      },
    ];
  },
  async erase(trx, subject) {
    await repo.removePersonFromRegions(trx, subject.userId, subject.emails);
  },
};
