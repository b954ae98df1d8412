import type { DB } from '../../db/database.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { Viewer } from './members.privacy.ts';
import type { ReferenceLists } from './members.reference-lists.ts';
import * as repo from './members.repository.ts';
import type { DirectoryQuery } from './members.schemas.ts';

export const DIRECTORY_PAGE_SIZE = 20;

/** A directory row with its region's and specialty's names. */
export type DirectoryRow = Omit<repo.DirectoryQueryRow, 'specialty_id'> & {
  region_name: string;
  specialty_name: string | null;
};

const nameMaps = new WeakMap<object, Map<unknown, string>>();

/** A cached reference list as a map from key to name (built once per list read). */
async function namesOf<T, K>(
  list: { get(): Promise<T[]> },
  entry: (row: T) => [K, string],
): Promise<Map<K, string>> {
  const rows = await list.get();
  let names = nameMaps.get(rows) as Map<K, string> | undefined;
  if (!names) {
    names = new Map(rows.map(entry));
    nameMaps.set(rows, names as Map<unknown, string>);
  }
  return names;
}

/** The directory, naming regions and specialties from the lists of members.reference-lists.ts. */
export function createDirectory(deps: {
  db: DB;
  viewerOf: (actor: Actor | 'system') => Promise<Viewer>;
  lists: Pick<ReferenceLists, 'specialtiesList' | 'regionsList'>;
}) {
  const { db, viewerOf } = deps;
  const { specialtiesList, regionsList } = deps.lists;

  /** The directory for this actor: privacy, then filters, ranked and paginated. */
  async function searchDirectory(
    actor: Actor | 'system',
    query: Omit<DirectoryQuery, 'organisation'> & { organisation?: string },
    pageSize = DIRECTORY_PAGE_SIZE,
  ): Promise<{ rows: DirectoryRow[]; total: number; capped: boolean; viewer: Viewer }> {
    const viewer = await viewerOf(actor);
    let organisationId: number | undefined;
    if (query.organisation) {
      const org = await repo.findOrganisationByOds(db, query.organisation);
      if (!org) return { rows: [], total: 0, capped: false, viewer };
      organisationId = org.id;
    }
    const { organisation: _ignored, ...rest } = query;
    const readNames = () =>
      Promise.all([
        namesOf(regionsList, (r) => [r.code, r.name]),
        namesOf(specialtiesList, (s) => [s.id, s.name]),
      ]);
    const [result, names] = await Promise.all([
      repo.searchDirectory(db, viewer, { ...rest, organisationId, pageSize }),
      readNames(),
    ]);
    let [regionNames, specialtyNames] = names;
    // A specialty or region added by another process since the lists were read: read them again.
    if (
      result.rows.some(
        (r) =>
          !regionNames.has(r.region_code) || (r.specialty_id !== null && !specialtyNames.has(r.specialty_id)),
      )
    ) {
      regionsList.clear();
      specialtiesList.clear();
      [regionNames, specialtyNames] = await readNames();
    }
    const rows: DirectoryRow[] = result.rows.map(({ specialty_id, ...row }) => ({
      ...row,
      region_name: regionNames.get(row.region_code) ?? row.region_code,
      specialty_name: specialty_id === null ? null : (specialtyNames.get(specialty_id) ?? null),
    }));
    return { ...result, rows, viewer };
  }

  return { searchDirectory };
}
