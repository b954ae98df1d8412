import { stringify } from 'csv-stringify/sync';
import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate } from '../../platform/dates.ts';
import { ConflictError, type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { findGroups, listGroupsOf } from '../learning-sets/index.ts';
import { findCurrentMember, findOrganisationsByOds, listOrganisationsByIds } from '../members/index.ts';
import { type KnowledgeAccess, requireContributor, requireReader } from './knowledge.access.ts';
import { diffWords } from './knowledge.items.diff.ts';
import * as repo from './knowledge.items.repository.ts';
import { listItemGroupIds } from './knowledge.repository.ts';
import type { CycleInput, ItemInput, LibraryQuery } from './knowledge.items.schemas.ts';
import {
  CARE_SETTING_LABELS,
  DECISION_LABELS,
  EVIDENCE_LEVEL_LABELS,
  KIND_LABELS,
  SPREAD_STAGE_LABELS,
  VISIBILITY_LABELS,
} from './knowledge.items.schemas.ts';
import { indexItem } from './knowledge.search-index.ts';
import type { KnowledgeItemRow } from './knowledge.table.ts';

export const LIBRARY_PAGE_SIZE = 20;
export const CSV_MAX_ITEMS = 10_000;

/** A spreadsheet must never run a cell as a formula (as the members and policy exports guard theirs). */
function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const fail = (field: string, message: string): never => {
  throw new ValidationError([{ field, message }]);
};

/** The fields a version keeps and a diff compares, with their labels, in page order. */
const VERSION_FIELDS: { field: string; label: string }[] = [
  { field: 'title', label: 'Title' },
  { field: 'kind', label: 'Kind' },
  { field: 'summary', label: 'Summary' },
  { field: 'body', label: 'Body' },
  { field: 'resourceUrl', label: 'Link' },
  { field: 'problem', label: 'Problem' },
  { field: 'baseline', label: 'Baseline' },
  { field: 'aim', label: 'Aim' },
  { field: 'results', label: 'Results' },
  { field: 'cost', label: 'Cost' },
  { field: 'careSetting', label: 'Care setting' },
  { field: 'spreadStage', label: 'Spread stage' },
  { field: 'evidenceLevel', label: 'Evidence level' },
  { field: 'visibility', label: 'Who can read it' },
  { field: 'regionCode', label: 'Region' },
  { field: 'reviewedOn', label: 'Reviewed on' },
  { field: 'reviewBy', label: 'Review by' },
  { field: 'topics', label: 'Topics' },
  { field: 'organisations', label: 'Organisations' },
  { field: 'cycles', label: 'PDSA cycles' },
];

/**
 * The library: items of four kinds (resources, improvement case studies, innovations, guidance
 * summaries), written as drafts, published and archived by their owner (or the national team), with
 * a case study's PDSA cycles, a version kept at each save of a published item, and the topics the
 * national team names. Reading follows the item's visibility (see knowledge.access.ts).
 */
export function createItems(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  async function listLibrary(actor: Actor, q: LibraryQuery) {
    const reader = await access.readerFor(actor);
    const { rows, total } = await repo.listReadableItems(db, reader, {
      kind: q.kind,
      topic: q.topic,
      limit: LIBRARY_PAGE_SIZE,
      offset: (q.page - 1) * LIBRARY_PAGE_SIZE,
    });
    const today = londonDate();
    return {
      items: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        visibility: r.visibility,
        regionCode: r.region_code,
        title: r.title,
        summary: r.summary,
        topicIds: r.topic_ids,
        publishedAt: r.published_at,
        updatedAt: r.updated_at,
        reviewBy: r.review_by,
        reviewDue: r.status === 'published' && r.review_by !== null && r.review_by < today,
      })),
      total,
      page: q.page,
      pageSize: LIBRARY_PAGE_SIZE,
    };
  }

  async function describeItem(x: Executor, item: KnowledgeItemRow, manage: boolean) {
    const [people, organisations, topics, groups, cycles] = await Promise.all([
      repo.findUserNames(
        x,
        [item.contact_user_id, item.owner_user_id].filter((v): v is number => v !== null),
      ),
      listOrganisationsByIds(x, item.organisation_ids),
      repo.listTopics(x),
      item.visibility === 'groups'
        ? listItemGroupIds(x, item.id).then((ids) => findGroups(x, ids))
        : Promise.resolve([]),
      repo.listCycles(x, item.id),
    ]);
    const person = (id: number | null) => {
      const p = people.find((u) => u.id === id);
      return p ? { userId: p.id, name: p.name } : null;
    };
    const today = londonDate();
    return {
      id: item.id,
      kind: item.kind,
      status: item.status,
      visibility: item.visibility,
      regionCode: item.region_code,
      title: item.title,
      summary: item.summary,
      body: item.body,
      resourceUrl: item.resource_url,
      problem: item.problem,
      baseline: item.baseline,
      aim: item.aim,
      results: item.results,
      cost: item.cost,
      careSetting: item.care_setting,
      spreadStage: item.spread_stage,
      evidenceLevel: item.evidence_level,
      contact: person(item.contact_user_id),
      owner: person(item.owner_user_id),
      organisations: organisations.map((o) => ({ id: o.id, odsCode: o.odsCode, name: o.name })),
      topics: topics.filter((t) => item.topic_ids.includes(t.id)),
      groups: groups.map((g) => ({ id: g.id, name: g.name })),
      topicIds: item.topic_ids,
      reviewedOn: item.reviewed_on,
      reviewBy: item.review_by,
      reviewDue: item.status === 'published' && item.review_by !== null && item.review_by < today,
      publishedAt: item.published_at,
      updatedAt: item.updated_at,
      version: item.version,
      cycles: cycles.map((c) => ({
        id: c.id,
        position: c.position,
        plan: c.plan,
        prediction: c.prediction,
        happened: c.happened,
        decision: c.decision,
        startedOn: c.started_on,
      })),
      canManage: manage,
    };
  }
  type ItemView = Awaited<ReturnType<typeof describeItem>>;

  async function getItem(actor: Actor, id: number): Promise<ItemView> {
    const { item, manage } = await access.loadItemFor(actor, id);
    return describeItem(db, item, manage);
  }

  /** The item with the list of its versions, as the API gives it. */
  async function getItemDetail(actor: Actor, id: number) {
    const { item, manage } = await access.loadItemFor(actor, id);
    const [view, versions] = await Promise.all([describeItem(db, item, manage), repo.listVersions(db, id)]);
    return {
      ...view,
      versions: versions.map((r) => ({
        version: r.version,
        changedAt: r.changed_at,
        changedBy: r.changed_by_name ?? 'A former member',
        note: r.note,
      })),
    };
  }

  /** The item as the page shows it: Markdown rendered safe, labels for the coded fields. */
  async function getItemPage(actor: Actor, id: number) {
    const view = await getItem(actor, id);
    const region = view.regionCode ? await repo.findRegion(db, view.regionCode) : undefined;
    return {
      ...view,
      bodyHtml: view.body ? renderMarkdown(view.body) : null,
      kindLabel: KIND_LABELS[view.kind],
      visibilityLabel: VISIBILITY_LABELS[view.visibility],
      regionName: region?.name ?? view.regionCode,
      careSettingLabel: view.careSetting ? CARE_SETTING_LABELS[view.careSetting] : null,
      spreadStageLabel: view.spreadStage ? SPREAD_STAGE_LABELS[view.spreadStage] : null,
      evidenceLevelLabel: view.evidenceLevel ? EVIDENCE_LEVEL_LABELS[view.evidenceLevel] : null,
      cycles: view.cycles.map((c) => ({
        ...c,
        decisionLabel: c.decision ? DECISION_LABELS[c.decision] : null,
      })),
    };
  }

  /** Checks the input against the database and turns it into the row's values. */
  async function resolve(x: Executor, actor: Actor, input: ItemInput, existing?: KnowledgeItemRow) {
    const errors: FieldError[] = [];
    const caseStudy = input.kind === 'case-study';
    if (input.reviewedOn && input.reviewBy && input.reviewBy < input.reviewedOn)
      errors.push({
        field: 'reviewBy',
        message: 'The review-by date must be on or after the reviewed-on date',
      });
    let regionCode: string | null = input.regionCode;
    if (regionCode && !(await repo.findRegion(x, regionCode)))
      errors.push({ field: 'regionCode', message: 'Choose a region from the list' });
    if (input.visibility === 'region' && !regionCode)
      errors.push({ field: 'regionCode', message: 'Choose the region that can read this item' });
    let groupIds: number[] = [];
    if (input.visibility === 'groups') {
      groupIds = [...new Set(input.groupIds)];
      const mine = new Set((await listGroupsOf(x, actor.userId)).map((g) => g.id));
      const kept = new Set(existing ? await listItemGroupIds(x, existing.id) : []);
      if (!groupIds.length)
        errors.push({
          field: 'groupIds',
          message: 'Choose at least one learning set that can read this item',
        });
      else if (groupIds.some((g) => !mine.has(g) && !kept.has(g)))
        errors.push({ field: 'groupIds', message: 'Choose learning sets you belong to or facilitate' });
    }
    const topicIds = [...new Set(input.topicIds)];
    if (topicIds.length) {
      const known = new Set((await repo.listTopics(x)).map((t) => t.id));
      if (topicIds.some((t) => !known.has(t)))
        errors.push({ field: 'topicIds', message: 'Choose topics from the list' });
    }
    const organisations = await findOrganisationsByOds(x, input.organisations);
    const unknown = [...new Set(input.organisations)].filter(
      (c) => !organisations.some((o) => o.odsCode === c),
    );
    if (unknown.length)
      errors.push({
        field: 'organisations',
        message: `No organisation has the ODS code ${unknown.slice(0, 5).join(', ')}`,
      });
    const ownerId = existing?.owner_user_id ?? actor.userId;
    let contactUserId: number | null = existing?.contact_user_id ?? ownerId;
    if (input.contactEmail) {
      const owner = (await repo.findUserNames(x, [ownerId]))[0];
      if (owner && owner.email.toLowerCase() === input.contactEmail) contactUserId = owner.id;
      else {
        const member = await findCurrentMember(x, { email: input.contactEmail, registrationNumber: null });
        if (member) contactUserId = member.userId;
        else
          errors.push({
            field: 'contactEmail',
            message: 'The contact must be a current member of the network: enter the email of their account',
          });
      }
    } else contactUserId = ownerId;
    if (errors.length) throw new ValidationError(errors);
    if (input.visibility !== 'region' && input.visibility !== 'groups') regionCode = input.regionCode;
    const values: repo.ItemValues = {
      kind: input.kind,
      visibility: input.visibility,
      region_code: regionCode,
      title: input.title,
      summary: input.summary,
      body: input.body,
      resource_url: input.resourceUrl,
      problem: caseStudy ? input.problem : null,
      baseline: caseStudy ? input.baseline : null,
      aim: caseStudy ? input.aim : null,
      results: caseStudy ? input.results : null,
      cost: caseStudy ? input.cost : null,
      care_setting: input.careSetting,
      spread_stage: input.spreadStage,
      evidence_level: input.evidenceLevel,
      contact_user_id: contactUserId,
      reviewed_on: input.reviewedOn,
      review_by: input.reviewBy,
      topic_ids: topicIds,
      organisation_ids: organisations.map((o) => o.id),
    };
    return { values, groupIds, organisationIds: organisations.map((o) => o.id) };
  }

  /** Everything a version keeps: the item's words and choices as they now are. */
  async function snapshotOf(x: Executor, itemId: number): Promise<Record<string, unknown>> {
    const item = (await repo.lockItem(x, itemId))!;
    const [topics, organisations, cycles] = await Promise.all([
      repo.listTopics(x),
      listOrganisationsByIds(x, item.organisation_ids),
      repo.listCycles(x, itemId),
    ]);
    return {
      title: item.title,
      kind: KIND_LABELS[item.kind],
      summary: item.summary,
      body: item.body ?? '',
      resourceUrl: item.resource_url ?? '',
      problem: item.problem ?? '',
      baseline: item.baseline ?? '',
      aim: item.aim ?? '',
      results: item.results ?? '',
      cost: item.cost ?? '',
      careSetting: item.care_setting ? CARE_SETTING_LABELS[item.care_setting] : '',
      spreadStage: item.spread_stage ? SPREAD_STAGE_LABELS[item.spread_stage] : '',
      evidenceLevel: item.evidence_level ? EVIDENCE_LEVEL_LABELS[item.evidence_level] : '',
      visibility: VISIBILITY_LABELS[item.visibility],
      regionCode: item.region_code ?? '',
      reviewedOn: item.reviewed_on ?? '',
      reviewBy: item.review_by ?? '',
      topics: topics
        .filter((t) => item.topic_ids.includes(t.id))
        .map((t) => t.name)
        .join(', '),
      organisations: organisations.map((o) => (o.odsCode ? `${o.name} (${o.odsCode})` : o.name)).join(', '),
      cycles: cycles
        .map(
          (c, i) =>
            `Cycle ${i + 1}: ${c.plan}${c.prediction ? ` Prediction: ${c.prediction}` : ''}${c.happened ? ` What happened: ${c.happened}` : ''}${c.decision ? ` Decision: ${DECISION_LABELS[c.decision]}` : ''}${c.started_on ? ` Started ${c.started_on}` : ''}`,
        )
        .join('\n'),
    };
  }

  /** Writes the next version of a published item, in the caller's transaction. */
  async function recordVersion(trx: Executor, actor: Actor, itemId: number, note: string | null) {
    const version = await repo.nextVersion(trx, itemId);
    await repo.insertVersion(trx, {
      itemId,
      version,
      snapshot: await snapshotOf(trx, itemId),
      changedBy: actor.userId,
      note,
    });
    await repo.setVersion(trx, itemId, version);
    return version;
  }

  async function createItem(actor: Actor, input: ItemInput): Promise<number> {
    requireContributor(actor);
    await access.readerFor(actor);
    return db.transaction().execute(async (trx) => {
      const { values, groupIds, organisationIds } = await resolve(trx, actor, input);
      const id = await repo.insertItem(trx, actor.userId, values);
      await repo.setOrganisations(trx, id, organisationIds);
      await repo.setGroups(trx, id, groupIds);
      await indexItem(trx, id);
      await recordAudit(trx, actor, {
        action: 'knowledge.item.create',
        entityType: 'knowledge_item',
        entityId: id,
        summary: `Drafted the library item: ${input.title}`,
      });
      return id;
    });
  }

  async function updateItem(actor: Actor, id: number, input: ItemInput): Promise<void> {
    await access.loadItemToManage(actor, id);
    await db.transaction().execute(async (trx) => {
      const item = await repo.lockItem(trx, id);
      if (!item) throw new NotFoundError('There is no such item in the library');
      const { values, groupIds, organisationIds } = await resolve(trx, actor, input, item);
      await repo.updateItem(trx, id, values);
      await repo.setOrganisations(trx, id, organisationIds);
      await repo.setGroups(trx, id, groupIds);
      await indexItem(trx, id);
      const version = item.status === 'published' ? await recordVersion(trx, actor, id, input.note) : null;
      await recordAudit(trx, actor, {
        action: 'knowledge.item.update',
        entityType: 'knowledge_item',
        entityId: id,
        summary: `Edited the library item: ${input.title}${version ? ` (version ${version})` : ''}`,
      });
    });
  }

  async function changeStatus(actor: Actor, id: number, to: 'published' | 'archived', note: string | null) {
    await access.loadItemToManage(actor, id);
    await db.transaction().execute(async (trx) => {
      const item = await repo.lockItem(trx, id);
      if (!item) throw new NotFoundError('There is no such item in the library');
      if (item.status === to)
        throw new ConflictError(
          to === 'published' ? 'This item is already published' : 'This item is already archived',
        );
      if (to === 'published' && item.visibility === 'region' && !item.region_code)
        throw new ConflictError('Choose the region that can read this item before publishing it');
      await repo.setStatus(trx, id, to);
      const version = to === 'published' ? await recordVersion(trx, actor, id, note ?? 'Published') : null;
      await indexItem(trx, id);
      await recordAudit(trx, actor, {
        action: to === 'published' ? 'knowledge.item.publish' : 'knowledge.item.archive',
        entityType: 'knowledge_item',
        entityId: id,
        summary: `${to === 'published' ? `Published (version ${version})` : 'Archived'} the library item: ${item.title}`,
      });
    });
  }

  // PDSA cycles.

  async function requireCaseStudy(actor: Actor, id: number) {
    const { item } = await access.loadItemToManage(actor, id);
    if (item.kind !== 'case-study') throw new ConflictError('Only an improvement case study has PDSA cycles');
    return item;
  }

  async function afterCycleChange(trx: Executor, actor: Actor, item: KnowledgeItemRow, summary: string) {
    await indexItem(trx, item.id);
    if (item.status === 'published') await recordVersion(trx, actor, item.id, summary);
    await recordAudit(trx, actor, {
      action: 'knowledge.item.cycles',
      entityType: 'knowledge_item',
      entityId: item.id,
      summary: `${summary}: ${item.title}`,
    });
  }

  const cycleValues = (input: CycleInput) => ({
    plan: input.plan,
    prediction: input.prediction,
    happened: input.happened,
    decision: input.decision,
    started_on: input.startedOn,
  });

  async function getCycle(actor: Actor, id: number, cycleId: number) {
    await requireCaseStudy(actor, id);
    const c = await repo.findCycle(db, id, cycleId);
    if (!c) throw new NotFoundError('There is no such PDSA cycle');
    return {
      id: c.id,
      position: c.position,
      plan: c.plan,
      prediction: c.prediction,
      happened: c.happened,
      decision: c.decision,
      startedOn: c.started_on,
    };
  }

  async function addCycle(actor: Actor, id: number, input: CycleInput): Promise<number> {
    await requireCaseStudy(actor, id);
    return db.transaction().execute(async (trx) => {
      const item = (await repo.lockItem(trx, id))!;
      if ((await repo.countCycles(trx, id)) >= 50)
        throw new ConflictError('A case study can have up to 50 PDSA cycles');
      const cycleId = await repo.insertCycle(trx, id, cycleValues(input));
      await afterCycleChange(trx, actor, item, 'Added a PDSA cycle');
      return cycleId;
    });
  }

  async function updateCycle(actor: Actor, id: number, cycleId: number, input: CycleInput) {
    await requireCaseStudy(actor, id);
    await db.transaction().execute(async (trx) => {
      const item = (await repo.lockItem(trx, id))!;
      if (!(await repo.findCycle(trx, id, cycleId))) throw new NotFoundError('There is no such PDSA cycle');
      await repo.updateCycle(trx, cycleId, cycleValues(input));
      await afterCycleChange(trx, actor, item, 'Edited a PDSA cycle');
    });
  }

  async function removeCycle(actor: Actor, id: number, cycleId: number) {
    await requireCaseStudy(actor, id);
    await db.transaction().execute(async (trx) => {
      const item = (await repo.lockItem(trx, id))!;
      if (!(await repo.findCycle(trx, id, cycleId))) throw new NotFoundError('There is no such PDSA cycle');
      await repo.deleteCycle(trx, cycleId);
      await afterCycleChange(trx, actor, item, 'Removed a PDSA cycle');
    });
  }

  async function moveCycle(actor: Actor, id: number, cycleId: number, direction: 'up' | 'down') {
    await requireCaseStudy(actor, id);
    await db.transaction().execute(async (trx) => {
      const item = (await repo.lockItem(trx, id))!;
      const cycles = await repo.listCycles(trx, id);
      const at = cycles.findIndex((c) => c.id === cycleId);
      if (at < 0) throw new NotFoundError('There is no such PDSA cycle');
      const to = direction === 'up' ? at - 1 : at + 1;
      if (to < 0 || to >= cycles.length)
        throw new ConflictError(`This cycle is already the ${direction === 'up' ? 'first' : 'last'}`);
      const order = cycles.map((c) => c.id);
      [order[at], order[to]] = [order[to]!, order[at]!];
      for (const [i, cid] of order.entries()) await repo.setCyclePosition(trx, cid, i + 1);
      await afterCycleChange(trx, actor, item, 'Reordered the PDSA cycles');
    });
  }

  // Versions.

  async function listVersions(actor: Actor, id: number) {
    const { item } = await access.loadItemFor(actor, id);
    const rows = await repo.listVersions(db, id);
    return {
      title: item.title,
      versions: rows.map((r) => ({
        version: r.version,
        changedAt: r.changed_at,
        changedBy: r.changed_by_name ?? 'A former member',
        note: r.note,
      })),
    };
  }

  async function getVersion(actor: Actor, id: number, version: number) {
    const { item } = await access.loadItemFor(actor, id);
    const pair = await repo.findVersionPair(db, id, version);
    if (!pair) throw new NotFoundError('There is no such version of this item');
    const now = pair.current.snapshot;
    const before = pair.previous?.snapshot ?? {};
    const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    const fields = VERSION_FIELDS.map(({ field, label }) => {
      const a = text(before[field]);
      const b = text(now[field]);
      const changed = pair.previous !== undefined && a !== b;
      return {
        field,
        label,
        changed,
        parts: changed ? diffWords(a, b) : [{ kind: 'same' as const, text: b }],
      };
    }).filter((f) => f.changed || f.parts.some((p) => p.text !== ''));
    return {
      title: item.title,
      version: pair.current.version,
      previous: pair.previous?.version ?? null,
      changedAt: pair.current.changed_at,
      changedBy: pair.current.changed_by_name ?? 'A former member',
      note: pair.current.note,
      fields,
    };
  }

  // Topics.

  async function listTopics(actor: Actor) {
    requireReader(actor);
    return repo.listTopics(db);
  }

  async function addTopic(actor: Actor, name: string): Promise<number> {
    requireRole(actor, ['national']);
    return db.transaction().execute(async (trx) => {
      if (await repo.findTopicByName(trx, name)) fail('name', `There is already a topic called ${name}`);
      const id = await repo.insertTopic(trx, name);
      await recordAudit(trx, actor, {
        action: 'knowledge.topic.add',
        entityType: 'knowledge_topic',
        entityId: id,
        summary: `Added the library topic ${name}`,
      });
      return id;
    });
  }

  async function renameTopic(actor: Actor, id: number, name: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const topic = await repo.findTopic(trx, id);
      if (!topic) throw new NotFoundError('There is no such topic');
      const same = await repo.findTopicByName(trx, name);
      if (same && same.id !== id) fail('name', `There is already a topic called ${name}`);
      await repo.renameTopic(trx, id, name);
      await recordAudit(trx, actor, {
        action: 'knowledge.topic.rename',
        entityType: 'knowledge_topic',
        entityId: id,
        summary: `Renamed the library topic ${topic.name} to ${name}`,
      });
    });
  }

  // Export.

  async function exportCsv(actor: Actor): Promise<string> {
    const reader = await access.readerFor(actor);
    const [rows, topics] = await Promise.all([
      repo.listReadableForExport(db, reader, CSV_MAX_ITEMS),
      repo.listTopics(db),
    ]);
    const orgIds = [...new Set(rows.flatMap((r) => r.organisation_ids))];
    const organisations = await listOrganisationsByIds(db, orgIds);
    const topicName = new Map(topics.map((t) => [t.id, t.name]));
    const orgCode = new Map(organisations.map((o) => [o.id, o.odsCode]));
    return stringify(
      rows.map((r) =>
        [
          r.id,
          KIND_LABELS[r.kind],
          r.status,
          r.visibility,
          r.region_code,
          r.title,
          r.summary,
          r.resource_url,
          r.care_setting,
          r.spread_stage,
          r.evidence_level,
          r.topic_ids.map((t) => topicName.get(t) ?? '').filter(Boolean),
          r.organisation_ids.map((o) => orgCode.get(o) ?? '').filter(Boolean),
          r.contact_name,
          r.reviewed_on,
          r.review_by,
          r.published_at ? r.published_at.toISOString() : null,
          r.updated_at.toISOString(),
          r.version,
        ].map(safeCell),
      ),
      {
        header: true,
        columns: [
          'id',
          'kind',
          'status',
          'visibility',
          'region',
          'title',
          'summary',
          'link',
          'care_setting',
          'spread_stage',
          'evidence_level',
          'topics',
          'organisations',
          'contact',
          'reviewed_on',
          'review_by',
          'published_at',
          'updated_at',
          'version',
        ],
      },
    );
  }

  /** What the form needs to offer: topics, regions, the learning sets the person may share with. */
  async function formChoices(actor: Actor, itemId?: number) {
    const [topics, regions, groups, kept] = await Promise.all([
      repo.listTopics(db),
      repo.listRegions(db),
      listGroupsOf(db, actor.userId),
      itemId ? listItemGroupIds(db, itemId).then((ids) => findGroups(db, ids)) : Promise.resolve([]),
    ]);
    const all = [...groups, ...kept.filter((k) => !groups.some((g) => g.id === k.id))];
    return { topics, regions, groups: all };
  }

  /** The item's fields as its form holds them, for editing. */
  async function formValues(actor: Actor, id: number) {
    const { item } = await access.loadItemToManage(actor, id);
    const view = await describeItem(db, item, true);
    const contact = view.contact ? (await repo.findUserNames(db, [view.contact.userId]))[0] : undefined;
    return {
      title: item.title,
      values: {
        kind: item.kind,
        title: item.title,
        summary: item.summary,
        body: item.body ?? '',
        resourceUrl: item.resource_url ?? '',
        problem: item.problem ?? '',
        baseline: item.baseline ?? '',
        aim: item.aim ?? '',
        results: item.results ?? '',
        cost: item.cost ?? '',
        careSetting: item.care_setting ?? '',
        spreadStage: item.spread_stage ?? '',
        evidenceLevel: item.evidence_level ?? '',
        contactEmail: contact?.email ?? '',
        organisations: view.organisations.map((o) => o.odsCode).join(', '),
        regionCode: item.region_code ?? '',
        topicIds: item.topic_ids.map(String),
        reviewedOn: item.reviewed_on ?? '',
        reviewBy: item.review_by ?? '',
        visibility: item.visibility,
        groupIds: view.groups.map((g) => String(g.id)),
      },
      status: item.status,
    };
  }

  return {
    listLibrary,
    getItem,
    getItemDetail,
    getItemPage,
    createItem,
    updateItem,
    publishItem: (actor: Actor, id: number, note: string | null = null) =>
      changeStatus(actor, id, 'published', note),
    archiveItem: (actor: Actor, id: number) => changeStatus(actor, id, 'archived', null),
    getCycle,
    addCycle,
    updateCycle,
    removeCycle,
    moveCycle,
    listVersions,
    getVersion,
    listTopics,
    addTopic,
    renameTopic,
    exportCsv,
    formChoices,
    formValues,
  };
}
export type KnowledgeItems = ReturnType<typeof createItems>;
