import type { DB } from '../../db/database.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { londonDate } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import { findOrganisationByOdsCode, listOrganisationMembers } from '../members/index.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import { ADOPTION_STATUS_LABELS } from './knowledge.adoptions.schemas.ts';
import { isStale } from './knowledge.freshness.ts';
import { KIND_LABELS } from './knowledge.items.schemas.ts';
import * as repo from './knowledge.organisations.repository.ts';

export const ORGANISATION_PAGE_SIZE = 20;
/** The members' items and the adoptions are the latest few: the full lists are the library's. */
export const ORGANISATION_LIST_CAP = 20;

type ItemRow = Awaited<ReturnType<typeof repo.listItemsOfOrganisation>>['rows'][number];
const presentItem = (r: ItemRow, today: string) => ({
  id: r.id,
  kind: r.kind,
  kindLabel: KIND_LABELS[r.kind],
  title: r.title,
  summary: r.summary,
  status: r.status,
  stale: isStale(r, today),
  publishedAt: r.published_at,
});

/**
 * An organisation's page in the library: the items that name it, the items its members wrote and
 * what it took up from elsewhere, each kept to the items the reader may read.
 */
export function createKnowledgeOrganisations(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  async function getOrganisation(actor: Actor, odsCode: string, page: number) {
    const reader = await access.readerFor(actor);
    const organisation = await findOrganisationByOdsCode(db, odsCode);
    if (!organisation || !organisation.odsCode)
      throw new NotFoundError('There is no organisation with that ODS code');
    const today = londonDate();
    const members = await listOrganisationMembers(db, organisation.id);
    const [linked, owned, adoptions] = await Promise.all([
      repo.listItemsOfOrganisation(db, reader, organisation.id, {
        limit: ORGANISATION_PAGE_SIZE,
        offset: (page - 1) * ORGANISATION_PAGE_SIZE,
      }),
      repo.listItemsOwnedBy(
        db,
        reader,
        members.map((m) => m.userId),
        ORGANISATION_LIST_CAP,
      ),
      repo.listAdoptionsByOrganisation(db, reader, organisation.id, ORGANISATION_LIST_CAP),
    ]);
    const names = new Map(members.map((m) => [m.userId, m.name]));
    return {
      organisation,
      items: linked.rows.map((r) => presentItem(r, today)),
      total: linked.total,
      page,
      pageSize: ORGANISATION_PAGE_SIZE,
      memberItems: owned.map((r) => ({
        ...presentItem(r, today),
        owner: names.get(r.owner_user_id!) ?? null,
      })),
      adoptions: adoptions.map((a) => ({
        id: a.id,
        itemId: a.item_id,
        title: a.title,
        kindLabel: KIND_LABELS[a.kind],
        status: a.status,
        statusLabel: ADOPTION_STATUS_LABELS[a.status],
        adoptedOn: a.adopted_on,
      })),
    };
  }

  return { getOrganisation };
}
export type KnowledgeOrganisations = ReturnType<typeof createKnowledgeOrganisations>;
