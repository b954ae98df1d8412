import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { audienceOf, canSee, type Viewer } from './members.privacy.ts';
import { processPhoto } from './members.render.ts';
import * as repo from './members.repository.ts';
import { STAGE_LABELS } from './members.schemas.ts';

/** The member's projects and photo, and another member's photo as the viewer may see it. */
export function createProjectsAndPhotos(deps: {
  db: DB;
  ensureOwnProfile: (actor: Actor) => Promise<unknown>;
  viewerOf: (actor: Actor | 'system') => Promise<Viewer>;
}) {
  const { db, ensureOwnProfile, viewerOf } = deps;

  async function addProject(actor: Actor, input: { title: string; summary: string; stage: string }) {
    await ensureOwnProfile(actor);
    return db.transaction().execute(async (trx) => {
      if ((await repo.countProjects(trx, actor.userId)) >= 20)
        throw new ConflictError('You can list up to 20 projects. Remove one first.');
      const { id } = await repo.insertProject(trx, { userId: actor.userId, ...input });
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.project.add',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} added a project (${STAGE_LABELS[input.stage as keyof typeof STAGE_LABELS]})`,
        details: { projectId: id },
      });
      return id;
    });
  }

  async function removeProject(actor: Actor, projectId: number) {
    await db.transaction().execute(async (trx) => {
      if (!(await repo.deleteProject(trx, actor.userId, projectId)))
        throw new NotFoundError('Project not found');
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.project.remove',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} removed a project`,
        details: { projectId },
      });
    });
  }

  async function uploadPhoto(actor: Actor, upload: Buffer) {
    await ensureOwnProfile(actor);
    const photo = await processPhoto(upload);
    await db.transaction().execute(async (trx) => {
      await repo.upsertPhoto(trx, actor.userId, photo.data, photo.contentType);
      await repo.updateProfile(trx, actor.userId, { has_photo: true });
      await recordAudit(trx, actor, {
        action: 'member.photo.upload',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} uploaded a photo`,
      });
    });
  }

  async function removePhoto(actor: Actor) {
    await db.transaction().execute(async (trx) => {
      await repo.deletePhoto(trx, actor.userId);
      await repo.updateProfile(trx, actor.userId, { has_photo: false });
      await recordAudit(trx, actor, {
        action: 'member.photo.remove',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} removed their photo`,
      });
    });
  }

  async function getPhoto(actor: Actor, userId: number) {
    const row = await repo.findProfile(db, userId);
    const viewer = await viewerOf(actor);
    const audience = row ? audienceOf(viewer, { userId, regionCode: row.region_code }) : 'network';
    if (
      !row ||
      !row.has_photo ||
      !canSee(audience, row.visibility_profile) ||
      !canSee(audience, row.visibility_photo)
    )
      throw new NotFoundError('Photo not found');
    const photo = await repo.findPhoto(db, userId);
    if (!photo) throw new NotFoundError('Photo not found');
    return photo;
  }

  return { addProject, removeProject, uploadPhoto, removePhoto, getPhoto };
}
