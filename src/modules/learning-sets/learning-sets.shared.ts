import type { Executor } from '../../db/database.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { DiversityAttribute } from './engine/index.ts';
import * as repo from './learning-sets.repository.ts';
import type { FormationSettings } from './learning-sets.table.ts';

// Small helpers the learning sets service's sections share.

/** A field of the input is wrong: a ValidationError with this message on it. */
export const fail = (field: string, message: string): never => {
  throw new ValidationError([{ field, message }]);
};

/** The weighted attributes a formation's diversity is scored on. */
export function diversityAttributes(settings: FormationSettings): DiversityAttribute[] {
  return settings.attributes
    .filter((a) => a.weight > 0)
    .map((a) => ({ key: a.key, weight: a.weight, kind: a.key === 'seniority' ? 'numeric' : 'categorical' }));
}

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** "14:05" in the UK. */
export const londonTimeOfDay = (at: Date) => londonClock.format(at);

/** Facilitators with spare capacity, lead first then the most spare capacity. */
export async function facilitatorCapacity(executor: Executor, regionCode: string) {
  const rows = await repo.listFacilitators(executor, regionCode);
  return rows
    .filter((r) => r.disabled_at === null)
    .map((r) => ({
      userId: r.user_id,
      name: r.name,
      isLead: r.is_lead,
      maxSets: r.max_sets,
      spare: Math.max(0, r.max_sets - Number(r.published_sets ?? 0)),
    }));
}
