import { createHash, randomBytes } from 'node:crypto';
import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import type { KnowledgeFiles } from './knowledge.files.ts';
import * as repo from './knowledge.share.repository.ts';

/** A link's secret: 32 random bytes, base64url (43 characters). Only its sha256 is stored. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export const DEAD_LINK =
  'This share link does not work. It may have been withdrawn by the person who shared it, or the item is no longer public. Ask them for a new link.';

/**
 * Share links: a published public item opened by a secret link, signed out, read only. The owner or
 * the national team makes a link (the secret is shown once), lists and revokes them.
 */
export function createKnowledgeShare(deps: {
  db: DB;
  access: KnowledgeAccess;
  files: KnowledgeFiles;
  baseUrl: string;
}) {
  const { db, access, files, baseUrl } = deps;

  async function listLinks(actor: Actor, itemId: number) {
    const { item } = await access.loadItemToManage(actor, itemId);
    const links = await repo.listItemLinks(db, itemId);
    return {
      item: { id: item.id, title: item.title, status: item.status, visibility: item.visibility },
      shareable: item.status === 'published' && item.visibility === 'public',
      links: links.map((l) => ({
        id: l.id,
        createdAt: l.created_at,
        createdBy: l.created_by_name,
        revokedAt: l.revoked_at,
        revokedBy: l.revoked_by_name,
        active: l.revoked_at === null,
      })),
    };
  }

  async function createLink(actor: Actor, itemId: number) {
    const { item } = await access.loadItemToManage(actor, itemId);
    if (item.status !== 'published' || item.visibility !== 'public')
      throw new ConflictError(
        'Only a published item that is visible to the public can be shared by link. Change who can read it first.',
      );
    const token = randomBytes(32).toString('base64url');
    const id = await db.transaction().execute(async (trx) => {
      const linkId = await repo.insertLink(trx, {
        itemId,
        tokenHash: hashOf(token),
        createdBy: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.share.create',
        entityType: 'knowledge_item',
        entityId: itemId,
        summary: `Made share link #${linkId} to library item #${itemId}`,
        details: { linkId },
      });
      return linkId;
    });
    return { id, token, url: `${baseUrl}/knowledge/shared/${token}` };
  }

  async function revokeLink(actor: Actor, itemId: number, linkId: number) {
    await access.loadItemToManage(actor, itemId);
    const link = await repo.findLink(db, itemId, linkId);
    if (!link) throw new NotFoundError('There is no such share link on this item');
    if (link.revoked_at) throw new ConflictError('This share link was already withdrawn');
    await db.transaction().execute(async (trx) => {
      if (!(await repo.revokeLink(trx, linkId, actor.userId)))
        throw new ConflictError('This share link was already withdrawn');
      await recordAudit(trx, actor, {
        action: 'knowledge.share.revoke',
        entityType: 'knowledge_item',
        entityId: itemId,
        summary: `Withdrew share link #${linkId} to library item #${itemId}`,
        details: { linkId },
      });
    });
  }

  async function findShared(token: string) {
    if (!TOKEN.test(token)) throw new NotFoundError(DEAD_LINK);
    const item = await repo.findSharedItem(db, hashOf(token));
    if (!item) throw new NotFoundError(DEAD_LINK);
    return item;
  }

  /** The shared item as a signed-out reader sees it. */
  async function openShared(token: string) {
    const item = await findShared(token);
    const md = (s: string | null) => (s ? renderMarkdown(s, { below: 2 }) : null);
    return {
      id: item.id,
      kind: item.kind,
      title: item.title,
      summary: item.summary,
      bodyHtml: md(item.body),
      resourceUrl: item.resource_url && /^https?:\/\//i.test(item.resource_url) ? item.resource_url : null,
      fields: [
        { label: 'The problem', html: md(item.problem) },
        { label: 'Where it started (baseline)', html: md(item.baseline) },
        { label: 'The aim', html: md(item.aim) },
        { label: 'Results', html: md(item.results) },
        { label: 'Cost', html: md(item.cost) },
      ].filter((f) => f.html),
      facts: [
        { label: 'Care setting', value: item.care_setting },
        { label: 'Spread', value: item.spread_stage },
        { label: 'Evidence', value: item.evidence_level },
        { label: 'Reviewed on', value: item.reviewed_on },
        { label: 'Review by', value: item.review_by },
      ]
        .filter((f) => f.value)
        .map((f) => ({ key: { text: f.label }, value: { text: String(f.value) } })),
      files: await files.listFilesOfItem(item.id),
    };
  }

  async function openSharedFile(token: string, fileId: number) {
    const item = await findShared(token);
    return files.openFileOfItem(item.id, fileId);
  }

  return { listLinks, createLink, revokeLink, openShared, openSharedFile };
}
export type KnowledgeShare = ReturnType<typeof createKnowledgeShare>;
