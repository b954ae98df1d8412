import type { Executor } from '../../db/database.ts';
import { CURRENT_MEMBERSHIP } from './members.membership-queries.ts';

/** An organisation as other modules see it: its ODS code, name, kind and the network region it is in. */
export type OrganisationFacts = {
  id: number;
  odsCode: string | null;
  name: string;
  kind: string;
  /** The network region (Q30 to Q39) the organisation sits in, when known. */
  regionCode: string | null;
};

function organisationFacts(x: Executor) {
  return x
    .selectFrom('organisations as o')
    .leftJoin('network_regions as rs', 'rs.code', 'o.sha_code')
    .leftJoin('network_regions as rn', 'rn.organisation_id', 'o.nhse_region_id')
    .select(['o.id', 'o.ods_code', 'o.name', 'o.kind', 'rs.code as sha_region', 'rn.code as nhse_region']);
}

type FactsRow = {
  id: number;
  ods_code: string | null;
  name: string;
  kind: string;
  sha_region: string | null;
  nhse_region: string | null;
};
const toFacts = (r: FactsRow): OrganisationFacts => ({
  id: r.id,
  odsCode: r.ods_code,
  name: r.name,
  kind: r.kind,
  regionCode: r.sha_region ?? r.nhse_region ?? null,
});

/** The organisation with this ODS code (any case), if any. Read-only. */
export async function findOrganisationByOdsCode(
  x: Executor,
  odsCode: string,
): Promise<OrganisationFacts | undefined> {
  const row = await organisationFacts(x)
    .where('o.ods_code', '=', odsCode.trim().toUpperCase())
    .executeTakeFirst();
  return row ? toFacts(row) : undefined;
}

/**
 * Organisations by ODS code (any case), for the organisations a knowledge item names. Codes that
 * name no organisation are simply absent from the answer: the caller says which were not found.
 */
export async function findOrganisationsByOds(
  x: Executor,
  odsCodes: readonly string[],
): Promise<OrganisationFacts[]> {
  const codes = [...new Set(odsCodes.map((c) => c.trim().toUpperCase()).filter(Boolean))];
  if (!codes.length) return [];
  const rows = await organisationFacts(x).where('o.ods_code', 'in', codes).orderBy('o.name').execute();
  return rows.map(toFacts);
}

/** Organisations by id (unknown ids left out), for lists that show their names and regions. */
export async function listOrganisationsByIds(
  x: Executor,
  ids: readonly number[],
): Promise<OrganisationFacts[]> {
  if (!ids.length) return [];
  const rows = await organisationFacts(x)
    .where('o.id', 'in', [...new Set(ids)])
    .orderBy('o.name')
    .execute();
  return rows.map(toFacts);
}

/**
 * The current members (not erased, not left, account not disabled) employed by the organisation,
 * in user id order: the library lists their contributions and writes to them when an organisation
 * has no sponsor on record. Capped by `limit`.
 */
export async function listOrganisationMembers(
  x: Executor,
  organisationId: number,
  limit = 5000,
): Promise<{ userId: number; name: string; email: string }[]> {
  const rows = await x
    .selectFrom('member_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .where('p.organisation_id', '=', organisationId)
    .where('p.erased_at', 'is', null)
    .where('p.status', 'in', [...CURRENT_MEMBERSHIP])
    .where('u.disabled_at', 'is', null)
    .select(['p.user_id', 'u.name', 'u.email'])
    .orderBy('p.user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email }));
}
