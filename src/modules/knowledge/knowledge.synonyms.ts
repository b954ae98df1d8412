import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { tokens } from './knowledge.search-query.ts';
import * as repo from './knowledge.synonyms.repository.ts';
import {
  type SynonymGroupOut,
  type SynonymListOut,
  type SynonymListQuery,
  SYNONYMS_PAGE_SIZE,
} from './knowledge.synonyms.schemas.ts';

const present = (r: repo.SynonymGroupRow): SynonymGroupOut => ({
  id: r.id,
  terms: r.terms,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** How search reads a term (knowledge.search-query.ts): "A&E" and "a&e" are the same term. */
const keyOf = (term: string) => tokens(term).join(' ');

const fail = (message: string): never => {
  throw new ValidationError([{ field: 'terms', message }]);
};

/**
 * Checks a group's terms as search will read them: each term has a word in it, none repeats
 * another of the group, and none is a term of another group (a query word must name one group).
 * Returns the terms with their inner spaces tidied.
 */
function checkTerms(
  terms: string[],
  others: { id: number; terms: string[] }[],
  self: number | null,
): string[] {
  const tidy = terms.map((t) => t.trim().replace(/\s+/g, ' '));
  const seen = new Map<string, string>();
  for (const t of tidy) {
    const key = keyOf(t);
    if (!key) fail(`“${t}” has no letters or numbers in it: search could not find it`);
    const before = seen.get(key);
    if (before !== undefined)
      fail(
        before === t
          ? `“${t}” is in the list twice`
          : `“${t}” and “${before}” are the same term to search: keep one`,
      );
    seen.set(key, t);
  }
  for (const group of others) {
    if (group.id === self) continue;
    const clash = group.terms.find((t) => seen.has(keyOf(t)));
    if (clash !== undefined)
      throw new ConflictError(
        `“${seen.get(keyOf(clash))}” is already a term of another group (${group.terms.join(', ')}): remove it from that group first, or add these terms to it`,
      );
  }
  return tidy;
}

/**
 * The clinical synonym and acronym groups (A&E, ED, emergency department), edited by the national
 * team. Search reads the groups at every query, so a change is used by the next search.
 */
export function createKnowledgeSynonyms(deps: { db: DB }) {
  const { db } = deps;

  async function listGroups(actor: Actor, query: SynonymListQuery): Promise<SynonymListOut> {
    requireRole(actor, ['national']);
    const { rows, total } = await repo.listGroups(db, {
      q: query.q,
      limit: SYNONYMS_PAGE_SIZE,
      offset: (query.page - 1) * SYNONYMS_PAGE_SIZE,
    });
    return { q: query.q, groups: rows.map(present), total, page: query.page, pageSize: SYNONYMS_PAGE_SIZE };
  }

  async function getGroup(actor: Actor, id: number): Promise<SynonymGroupOut> {
    requireRole(actor, ['national']);
    const row = await repo.findGroup(db, id);
    if (!row) throw new NotFoundError('There is no such synonym group');
    return present(row);
  }

  async function addGroup(actor: Actor, terms: string[]): Promise<SynonymGroupOut> {
    requireRole(actor, ['national']);
    return db.transaction().execute(async (trx) => {
      await repo.lockGroups(trx);
      const tidy = checkTerms(terms, await repo.allGroups(trx), null);
      const row = await repo.insertGroup(trx, tidy, actor.userId);
      await recordAudit(trx, actor, {
        action: 'knowledge.synonyms.add',
        entityType: 'knowledge_synonym_group',
        entityId: row.id,
        summary: `Added the synonym group ${tidy.join(', ')}`,
        details: { terms: tidy },
      });
      return present(row);
    });
  }

  async function editGroup(actor: Actor, id: number, terms: string[]): Promise<SynonymGroupOut> {
    requireRole(actor, ['national']);
    return db.transaction().execute(async (trx) => {
      await repo.lockGroups(trx);
      const before = await repo.findGroup(trx, id);
      if (!before) throw new NotFoundError('There is no such synonym group');
      const tidy = checkTerms(terms, await repo.allGroups(trx), id);
      const row = await repo.updateGroup(trx, id, tidy, actor.userId);
      await recordAudit(trx, actor, {
        action: 'knowledge.synonyms.edit',
        entityType: 'knowledge_synonym_group',
        entityId: id,
        summary: `Changed the synonym group ${before.terms.join(', ')} to ${tidy.join(', ')}`,
        details: { before: before.terms, after: tidy },
      });
      return present(row);
    });
  }

  async function deleteGroup(actor: Actor, id: number): Promise<void> {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      await repo.lockGroups(trx);
      const before = await repo.findGroup(trx, id);
      if (!before) throw new NotFoundError('There is no such synonym group');
      await repo.deleteGroup(trx, id);
      await recordAudit(trx, actor, {
        action: 'knowledge.synonyms.delete',
        entityType: 'knowledge_synonym_group',
        entityId: id,
        summary: `Deleted the synonym group ${before.terms.join(', ')}`,
        details: { terms: before.terms },
      });
    });
  }

  return { listGroups, getGroup, addGroup, editGroup, deleteGroup };
}
export type KnowledgeSynonyms = ReturnType<typeof createKnowledgeSynonyms>;
