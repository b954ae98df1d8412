import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { type PolicyAccess, requirePolicyTeam } from './policy.access.ts';
import * as repo from './policy.analysis.repository.ts';
import type {
  AssignInput,
  AssignmentPatch,
  AssignmentUpdate,
  MergeInput,
  SplitInput,
  ThemeInput,
} from './policy.analysis.schemas.ts';
import type { PolicyCallRow, Sentiment } from './policy.table.ts';

/** Answers on a page of a question's analysis, and assignments on a page of a theme. */
export const ANSWERS_PAGE_SIZE = 20;
export const ASSIGNMENTS_PAGE_SIZE = 25;
/** The newest history rows a theme's page shows. */
export const HISTORY_SHOWN = 100;
/** Pending suggestions the call's analysis page names (a run makes at most eight a question). */
const PENDING_SHOWN = 50;
/** A call is analysed once it has opened (responses exist); before that there is nothing to analyse. */
const ANALYSED_STATES = ['open', 'closed', 'concluded'];

export type GroupCount = { value: string; responses: number };
export type ThemeGroups = { region: GroupCount[]; profession: GroupCount[]; setting: GroupCount[] };
export type ThemeSummary = {
  id: number;
  questionId: number;
  name: string;
  description: string | null;
  responses: number;
  mergedIntoId: number | null;
  mergedIntoName: string | null;
  groups: ThemeGroups;
};

const CONFIDENTIAL_HIDDEN =
  'Confidential response: only the call’s owner and the national team read its text';

function fail(field: string, message: string): never {
  throw new ValidationError([{ field, message }]);
}

function groupsOf(rows: Awaited<ReturnType<typeof repo.listGroupCounts>>) {
  const byTheme = new Map<number, ThemeGroups>();
  for (const row of rows) {
    const groups = byTheme.get(row.theme_id) ?? { region: [], profession: [], setting: [] };
    const n = Number(row.n);
    const add = (list: GroupCount[], value: string | null) => {
      const v = value ?? 'Not recorded';
      const found = list.find((g) => g.value === v);
      if (found) found.responses += n;
      else list.push({ value: v, responses: n });
    };
    add(groups.region, row.region_code);
    add(groups.profession, row.profession);
    add(groups.setting, row.setting);
    byTheme.set(row.theme_id, groups);
  }
  for (const g of byTheme.values())
    for (const list of [g.region, g.profession, g.setting])
      list.sort((a, b) => b.responses - a.responses || a.value.localeCompare(b.value));
  return byTheme;
}

/**
 * The policy team's analysis of a call: themes per question (create, rename, merge, split), the
 * responses (or excerpts) counted under them with sentiment and an evidence-rich flag, and live
 * counts per theme and group. The call's owner and the national team change it; the rest of the
 * policy team may read it, without the text of confidential responses; members never see it.
 * Every change is a row in policy_assignment_history (for assignments) and the audit log.
 */
export function createPolicyAnalysis(deps: { db: DB; access: PolicyAccess }) {
  const { db, access } = deps;

  async function readCall(actor: Actor, callId: number, x: Executor = db) {
    requirePolicyTeam(actor);
    const { call, manage } = await access.loadCallFor(actor, callId, x);
    return { call, manage };
  }

  async function manageCall(actor: Actor, callId: number, x: Executor = db) {
    requirePolicyTeam(actor);
    const { call } = await access.loadCallToManage(actor, callId, x);
    if (!ANALYSED_STATES.includes(call.status))
      throw new ConflictError('This call has not opened yet: there are no responses to analyse');
    return call;
  }

  async function questionOf(callId: number, questionId: number, x: Executor = db) {
    const question = await repo.findQuestion(x, questionId);
    if (!question || question.call_id !== callId)
      throw new NotFoundError('There is no such question in this call');
    return question;
  }

  async function summariesOf(x: Executor, questionIds: number[]): Promise<ThemeSummary[]> {
    const [themes, counts] = await Promise.all([
      repo.listThemes(x, questionIds),
      repo.listGroupCounts(x, questionIds),
    ]);
    const groups = groupsOf(counts);
    return themes.map((t) => ({
      id: t.id,
      questionId: t.question_id,
      name: t.name,
      description: t.description,
      responses: Number(t.responses ?? 0),
      mergedIntoId: t.merged_into_id,
      mergedIntoName: t.merged_into_name,
      groups: groups.get(t.id) ?? { region: [], profession: [], setting: [] },
    }));
  }

  /** The analysis page of a call: each question with its live themes, counts and suggestions waiting. */
  async function getCallAnalysis(actor: Actor, callId: number) {
    const { call, manage } = await readCall(actor, callId);
    const questions = await repo.listQuestions(db, callId);
    const ids = questions.map((q) => q.id);
    const [themes, suggestionCounts, pending, answers] = await Promise.all([
      summariesOf(db, ids),
      repo.countSuggestions(db, ids),
      repo.listSuggestions(db, ids, 'pending', PENDING_SHOWN),
      Promise.all(ids.map((id) => repo.countAnswers(db, id))),
    ]);
    const suggestions = (questionId: number, status: string) =>
      Number(suggestionCounts.find((s) => s.question_id === questionId && s.status === status)?.n ?? 0);
    return {
      call: presentCall(call),
      manage,
      questions: questions.map((q, i) => ({
        id: q.id,
        position: q.position,
        kind: q.kind,
        prompt: q.prompt,
        answers: answers[i]!,
        themes: themes.filter((t) => t.questionId === q.id && t.mergedIntoId === null),
        mergedThemes: themes.filter((t) => t.questionId === q.id && t.mergedIntoId !== null).length,
        pendingSuggestions: suggestions(q.id, 'pending'),
        pending: pending
          .filter((p) => p.question_id === q.id)
          .map((p) => ({
            id: p.id,
            label: p.label,
            keyphrases: p.keyphrases,
            responses: p.response_ids.length,
          })),
        rejectedSuggestions: suggestions(q.id, 'rejected'),
      })),
    };
  }

  /** One question's analysis: its live themes, a page of answers with their assignments. */
  async function getQuestionAnalysis(actor: Actor, callId: number, questionId: number, page: number) {
    const { call, manage } = await readCall(actor, callId);
    const question = await questionOf(callId, questionId);
    const [themes, total, rows] = await Promise.all([
      summariesOf(db, [questionId]),
      repo.countAnswers(db, questionId),
      repo.listAnswers(db, questionId, { limit: ANSWERS_PAGE_SIZE, offset: (page - 1) * ANSWERS_PAGE_SIZE }),
    ]);
    const assignments = await repo.listAssignmentsOfResponses(
      db,
      questionId,
      rows.map((r) => r.response_id),
    );
    return {
      call: presentCall(call),
      manage,
      question: {
        id: question.id,
        position: question.position,
        kind: question.kind,
        prompt: question.prompt,
      },
      themes: themes.filter((t) => t.mergedIntoId === null),
      mergedThemes: themes.filter((t) => t.mergedIntoId !== null),
      total,
      page,
      pageSize: ANSWERS_PAGE_SIZE,
      answers: rows.map((r) => {
        const hidden = r.confidential && !manage;
        return {
          responseId: r.response_id,
          confidential: r.confidential,
          respondent: hidden ? null : r.respondent,
          organisation: hidden ? null : r.organisation,
          regionCode: r.region_code,
          profession: r.profession,
          setting: r.setting,
          text: hidden ? CONFIDENTIAL_HIDDEN : answerText(r),
          hidden,
          assignments: assignments
            .filter((a) => a.response_id === r.response_id)
            .map((a) => presentAssignment(a, hidden)),
        };
      }),
    };
  }

  async function loadTheme(x: Executor, id: number, lock = false) {
    const theme = lock ? await repo.lockTheme(x, id) : await repo.findTheme(x, id);
    if (!theme) throw new NotFoundError('There is no such theme');
    return theme;
  }

  /** A theme's page: its live assignments (a page), its history, and what it may be merged into. */
  async function getTheme(actor: Actor, themeId: number, page: number) {
    const theme = await loadTheme(db, themeId);
    const { call, manage } = await readCall(actor, theme.call_id);
    const question = await questionOf(call.id, theme.question_id);
    const [summaries, rows, history] = await Promise.all([
      summariesOf(db, [theme.question_id]),
      repo.listThemeAssignments(db, themeId, {
        limit: ASSIGNMENTS_PAGE_SIZE,
        offset: (page - 1) * ASSIGNMENTS_PAGE_SIZE,
      }),
      repo.listThemeHistory(db, themeId, HISTORY_SHOWN),
    ]);
    const summary = summaries.find((t) => t.id === themeId)!;
    const names = new Map(summaries.map((t) => [t.id, t.name]));
    return {
      call: presentCall(call),
      manage,
      question: { id: question.id, position: question.position, prompt: question.prompt },
      theme: summary,
      page,
      pageSize: ASSIGNMENTS_PAGE_SIZE,
      mergeTargets: summaries
        .filter((t) => t.mergedIntoId === null && t.id !== themeId)
        .map((t) => ({ id: t.id, name: t.name })),
      assignments: rows.map((r) => {
        const hidden = r.confidential && !manage;
        return {
          ...presentAssignment(r, hidden),
          respondent: hidden ? null : r.respondent,
          regionCode: r.region_code,
          profession: r.profession,
          setting: r.setting,
          confidential: r.confidential,
          hidden,
          text: hidden ? CONFIDENTIAL_HIDDEN : (r.text_value ?? ''),
          assignedBy: r.assigned_by_name,
        };
      }),
      history: history.map((h) => ({
        id: h.id,
        assignmentId: h.assignment_id,
        responseId: h.response_id,
        action: h.action,
        description: describeHistory(h.action, h.details as Record<string, unknown>, names),
        changedBy: h.changed_by_name,
        changedAt: h.changed_at,
      })),
    };
  }

  /** Counts per theme and group for every question of a call (the API). */
  async function countsForCall(actor: Actor, callId: number) {
    const analysis = await getCallAnalysis(actor, callId);
    return analysis.questions.map((q) => ({
      questionId: q.id,
      prompt: q.prompt,
      answers: q.answers,
      themes: q.themes.map((t) => ({
        themeId: t.id,
        name: t.name,
        responses: t.responses,
        groups: t.groups,
      })),
    }));
  }

  async function requireUniqueName(
    x: Executor,
    questionId: number,
    name: string,
    exceptId: number | null,
    field = 'name',
  ) {
    const named = await repo.findLiveThemeByName(x, questionId, name);
    if (named && named.id !== exceptId)
      fail(field, `This question already has a theme called ${named.name}: choose another name`);
  }

  async function createTheme(actor: Actor, callId: number, questionId: number, input: ThemeInput) {
    return db.transaction().execute(async (trx) => {
      const call = await manageCall(actor, callId, trx);
      await questionOf(callId, questionId, trx);
      await repo.lockQuestion(trx, questionId);
      await requireUniqueName(trx, questionId, input.name, null);
      const id = await repo.insertTheme(trx, {
        callId,
        questionId,
        name: input.name,
        description: input.description,
        createdBy: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'policy.theme.create',
        entityType: 'policy_theme',
        entityId: id,
        summary: `Added the theme ${input.name} to a question of the call ${call.title}`,
        details: { callId, questionId, name: input.name },
      });
      return id;
    });
  }

  /** A live theme of a call the actor manages, locked for the change. */
  async function themeToChange(trx: Executor, actor: Actor, themeId: number) {
    const theme = await loadTheme(trx, themeId);
    const call = await manageCall(actor, theme.call_id, trx);
    await repo.lockQuestion(trx, theme.question_id);
    const locked = await loadTheme(trx, themeId, true);
    if (locked.merged_into_id !== null)
      throw new ConflictError('This theme has been merged into another and can no longer change');
    return { theme: locked, call };
  }

  async function renameTheme(actor: Actor, themeId: number, input: ThemeInput) {
    await db.transaction().execute(async (trx) => {
      const { theme, call } = await themeToChange(trx, actor, themeId);
      await requireUniqueName(trx, theme.question_id, input.name, themeId);
      await repo.updateTheme(trx, themeId, { name: input.name, description: input.description });
      await recordAudit(trx, actor, {
        action: 'policy.theme.rename',
        entityType: 'policy_theme',
        entityId: themeId,
        summary:
          theme.name === input.name
            ? `Changed the description of the theme ${theme.name} (call ${call.title})`
            : `Renamed the theme ${theme.name} to ${input.name} (call ${call.title})`,
        details: { from: { name: theme.name, description: theme.description }, to: input },
      });
    });
  }

  /** Merges a theme into another of the same question: the other takes its live assignments. */
  async function mergeTheme(actor: Actor, themeId: number, input: MergeInput) {
    return db.transaction().execute(async (trx) => {
      const { theme, call } = await themeToChange(trx, actor, themeId);
      if (input.intoThemeId === themeId)
        fail('intoThemeId', 'A theme cannot be merged into itself: choose another theme');
      const into = await repo.lockTheme(trx, input.intoThemeId);
      if (!into || into.call_id !== theme.call_id || into.question_id !== theme.question_id)
        fail('intoThemeId', 'Choose a theme of the same question to merge into');
      if (into.merged_into_id !== null)
        fail('intoThemeId', `${into.name} has itself been merged into another theme: choose that one`);
      const moving = await repo.listLiveAssignmentIds(trx, themeId);
      const already = new Set((await repo.listLiveAssignmentIds(trx, into.id)).map((a) => a.response_id));
      const duplicates = moving.filter((a) => already.has(a.response_id)).map((a) => a.id);
      const moved = moving.filter((a) => !already.has(a.response_id)).map((a) => a.id);
      await repo.removeAssignments(trx, duplicates, actor.userId);
      await repo.moveAssignments(trx, moved, into.id);
      await repo.markMerged(trx, themeId, into.id);
      await repo.insertHistory(trx, [
        ...moved.flatMap((id) => [
          {
            assignmentId: id,
            themeId,
            action: 'moved',
            details: { toThemeId: into.id, reason: 'merge' },
            changedBy: actor.userId,
          },
          {
            assignmentId: id,
            themeId: into.id,
            action: 'moved',
            details: { fromThemeId: themeId, reason: 'merge' },
            changedBy: actor.userId,
          },
        ]),
        ...duplicates.map((id) => ({
          assignmentId: id,
          themeId,
          action: 'removed',
          details: {
            reason: 'merge',
            intoThemeId: into.id,
            note: 'already counted under the theme merged into',
          },
          changedBy: actor.userId,
        })),
      ]);
      await recordAudit(trx, actor, {
        action: 'policy.theme.merge',
        entityType: 'policy_theme',
        entityId: themeId,
        summary: `Merged the theme ${theme.name} into ${into.name} (call ${call.title}): ${moved.length} moved, ${duplicates.length} already there`,
        details: { intoThemeId: into.id, moved: moved.length, duplicates: duplicates.length },
      });
      return into.id;
    });
  }

  /** Splits a theme: a new theme of the same question takes the chosen live assignments. */
  async function splitTheme(actor: Actor, themeId: number, input: SplitInput) {
    return db.transaction().execute(async (trx) => {
      const { theme, call } = await themeToChange(trx, actor, themeId);
      await requireUniqueName(trx, theme.question_id, input.name, null);
      const live = new Set((await repo.listLiveAssignmentIds(trx, themeId)).map((a) => a.id));
      const chosen = [...new Set(input.assignmentIds)];
      if (chosen.some((id) => !live.has(id)))
        fail('assignmentIds', 'Choose answers that are counted under this theme now');
      if (chosen.length === live.size)
        fail(
          'assignmentIds',
          'Leave at least one answer under this theme (to move them all, rename it instead)',
        );
      const newId = await repo.insertTheme(trx, {
        callId: theme.call_id,
        questionId: theme.question_id,
        name: input.name,
        description: input.description,
        createdBy: actor.userId,
      });
      await repo.moveAssignments(trx, chosen, newId);
      await repo.insertHistory(
        trx,
        chosen.flatMap((id) => [
          {
            assignmentId: id,
            themeId,
            action: 'moved',
            details: { toThemeId: newId, reason: 'split' },
            changedBy: actor.userId,
          },
          {
            assignmentId: id,
            themeId: newId,
            action: 'moved',
            details: { fromThemeId: themeId, reason: 'split' },
            changedBy: actor.userId,
          },
        ]),
      );
      await recordAudit(trx, actor, {
        action: 'policy.theme.split',
        entityType: 'policy_theme',
        entityId: newId,
        summary: `Split ${chosen.length} answer${chosen.length === 1 ? '' : 's'} from the theme ${theme.name} into a new theme ${input.name} (call ${call.title})`,
        details: { fromThemeId: themeId, assignmentIds: chosen },
      });
      return newId;
    });
  }

  /**
   * Puts responses under a live theme inside the caller's transaction (a person's assignment, an
   * accepted suggestion): each response must have answered the theme's question in the theme's
   * call; one already under the theme is skipped. Returns the new assignments' ids.
   */
  async function assignInTransaction(
    trx: Executor,
    actor: Actor,
    theme: { id: number; call_id: number; question_id: number },
    items: {
      responseId: number;
      excerpt: string | null;
      sentiment: Sentiment | null;
      evidenceRich: boolean;
    }[],
    source: 'person' | 'suggestion',
  ) {
    const ids: number[] = [];
    for (const item of items) {
      if (await repo.findLiveAssignment(trx, theme.id, item.responseId)) continue;
      const id = await repo.insertAssignment(trx, {
        themeId: theme.id,
        responseId: item.responseId,
        questionId: theme.question_id,
        excerpt: item.excerpt,
        sentiment: item.sentiment,
        evidenceRich: item.evidenceRich,
        source,
        assignedBy: actor.userId,
      });
      ids.push(id);
      await repo.insertHistory(trx, [
        {
          assignmentId: id,
          themeId: theme.id,
          action: 'assigned',
          details: {
            source,
            excerpt: item.excerpt,
            sentiment: item.sentiment,
            evidenceRich: item.evidenceRich,
          },
          changedBy: actor.userId,
        },
      ]);
    }
    return ids;
  }

  async function checkExcerpt(
    trx: Executor,
    responseId: number,
    questionId: number,
    callId: number,
    excerpt: string | null,
  ) {
    const answer = await repo.findAnswer(trx, responseId, questionId);
    if (!answer || answer.call_id !== callId || answer.status !== 'submitted')
      fail('responseId', 'Choose a submitted response to this question of the call');
    if (excerpt !== null) {
      if (!answer.text_value) fail('excerpt', 'This answer has no text to quote: leave the excerpt blank');
      if (!answer.text_value.includes(excerpt))
        fail(
          'excerpt',
          'The excerpt must be copied exactly from the answer: it is not in this answer’s text',
        );
    }
    return answer;
  }

  /** A person puts a response's answer (or an excerpt of it) under a theme of the question. */
  async function assign(actor: Actor, callId: number, questionId: number, input: AssignInput) {
    return db.transaction().execute(async (trx) => {
      const call = await manageCall(actor, callId, trx);
      await questionOf(callId, questionId, trx);
      const theme = await repo.lockTheme(trx, input.themeId);
      if (!theme || theme.call_id !== callId || theme.question_id !== questionId)
        fail('themeId', 'Choose a theme of this question');
      if (theme.merged_into_id !== null)
        fail('themeId', `${theme.name} has been merged into another theme: choose that one`);
      await checkExcerpt(trx, input.responseId, questionId, callId, input.excerpt);
      const existing = await repo.findLiveAssignment(trx, theme.id, input.responseId);
      if (existing)
        fail(
          'themeId',
          `This response is already counted under ${theme.name}: change that assignment instead`,
        );
      const [id] = await assignInTransaction(trx, actor, theme, [input], 'person');
      await recordAudit(trx, actor, {
        action: 'policy.assignment.create',
        entityType: 'policy_theme_assignment',
        entityId: id!,
        summary: `Counted response ${input.responseId} under the theme ${theme.name} (call ${call.title})`,
        details: {
          themeId: theme.id,
          responseId: input.responseId,
          excerpt: input.excerpt,
          sentiment: input.sentiment,
          evidenceRich: input.evidenceRich,
        },
      });
      return id!;
    });
  }

  /** The theme named by the API's path: the same as assign, with the call and question from the theme. */
  async function assignToTheme(actor: Actor, themeId: number, input: Omit<AssignInput, 'themeId'>) {
    const theme = await loadTheme(db, themeId);
    await readCall(actor, theme.call_id);
    return assign(actor, theme.call_id, theme.question_id, { ...input, themeId });
  }

  async function assignmentToChange(trx: Executor, actor: Actor, assignmentId: number) {
    const found = await repo.findAssignment(trx, assignmentId);
    if (!found) throw new NotFoundError('There is no such assignment');
    const call = await manageCall(actor, found.call_id, trx);
    const locked = await repo.lockAssignment(trx, assignmentId);
    if (!locked || locked.removed_at !== null)
      throw new ConflictError('This assignment has been removed and can no longer change');
    return { assignment: { ...locked, theme_name: found.theme_name }, call };
  }

  /** Changes an assignment; a field the input leaves out (the API's PATCH) keeps its value. */
  async function updateAssignment(
    actor: Actor,
    assignmentId: number,
    patch: AssignmentUpdate | AssignmentPatch,
  ) {
    return db.transaction().execute(async (trx) => {
      const { assignment, call } = await assignmentToChange(trx, actor, assignmentId);
      const input = {
        excerpt: patch.excerpt === undefined ? assignment.excerpt : patch.excerpt,
        sentiment: patch.sentiment === undefined ? assignment.sentiment : patch.sentiment,
        evidenceRich: patch.evidenceRich === undefined ? assignment.evidence_rich : patch.evidenceRich,
      };
      await checkExcerpt(trx, assignment.response_id, assignment.question_id, call.id, input.excerpt);
      const before = {
        excerpt: assignment.excerpt,
        sentiment: assignment.sentiment,
        evidenceRich: assignment.evidence_rich,
      };
      const after = { excerpt: input.excerpt, sentiment: input.sentiment, evidenceRich: input.evidenceRich };
      await repo.updateAssignment(trx, assignmentId, {
        excerpt: input.excerpt,
        sentiment: input.sentiment,
        evidence_rich: input.evidenceRich,
      });
      await repo.insertHistory(trx, [
        {
          assignmentId,
          themeId: assignment.theme_id,
          action: 'changed',
          details: { before, after },
          changedBy: actor.userId,
        },
      ]);
      await recordAudit(trx, actor, {
        action: 'policy.assignment.update',
        entityType: 'policy_theme_assignment',
        entityId: assignmentId,
        summary: `Changed how response ${assignment.response_id} is counted under the theme ${assignment.theme_name} (call ${call.title})`,
        details: { before, after },
      });
      return assignment.theme_id;
    });
  }

  /** Removes an assignment: dated, never deleted; the response no longer counts under the theme. */
  async function removeAssignment(actor: Actor, assignmentId: number) {
    return db.transaction().execute(async (trx) => {
      const { assignment, call } = await assignmentToChange(trx, actor, assignmentId);
      await repo.removeAssignments(trx, [assignmentId], actor.userId);
      await repo.insertHistory(trx, [
        {
          assignmentId,
          themeId: assignment.theme_id,
          action: 'removed',
          details: {},
          changedBy: actor.userId,
        },
      ]);
      await recordAudit(trx, actor, {
        action: 'policy.assignment.remove',
        entityType: 'policy_theme_assignment',
        entityId: assignmentId,
        summary: `Removed response ${assignment.response_id} from the theme ${assignment.theme_name} (call ${call.title})`,
      });
      return assignment.theme_id;
    });
  }

  /** The theme an assignment is (or was last) under, for a page to return to (the policy team only). */
  async function themeOfAssignment(actor: Actor, assignmentId: number) {
    const found = await repo.findAssignment(db, assignmentId);
    if (!found) throw new NotFoundError('There is no such assignment');
    await readCall(actor, found.call_id);
    return found.theme_id;
  }

  return {
    getCallAnalysis,
    themeOfAssignment,
    getQuestionAnalysis,
    getTheme,
    countsForCall,
    createTheme,
    renameTheme,
    mergeTheme,
    splitTheme,
    assign,
    assignToTheme,
    updateAssignment,
    removeAssignment,
    // For the suggestions section:
    readCall,
    manageCall,
    questionOf,
    requireUniqueName,
    assignInTransaction,
  };
}
export type PolicyAnalysis = ReturnType<typeof createPolicyAnalysis>;

export function presentCall(call: PolicyCallRow) {
  return { id: call.id, title: call.title, status: call.status, closesOn: call.closes_on };
}

function answerText(r: { text_value: string | null; choice_values: string[]; scale_value: number | null }) {
  if (r.text_value) return r.text_value;
  if (r.choice_values.length) return r.choice_values.join(', ');
  if (r.scale_value !== null) return String(r.scale_value);
  return '';
}

function presentAssignment(
  a: {
    id: number;
    theme_id: number;
    response_id: number;
    excerpt: string | null;
    sentiment: Sentiment | null;
    evidence_rich: boolean;
    source: 'person' | 'suggestion';
    assigned_at: Date;
    theme_name?: string;
  },
  hidden: boolean,
) {
  return {
    id: a.id,
    themeId: a.theme_id,
    themeName: a.theme_name ?? null,
    responseId: a.response_id,
    excerpt: hidden ? null : a.excerpt,
    sentiment: a.sentiment,
    evidenceRich: a.evidence_rich,
    source: a.source,
    assignedAt: a.assigned_at,
  };
}

const SENTIMENT_WORDS: Record<string, string> = { agree: 'agrees', disagree: 'disagrees', mixed: 'mixed' };

/** One history row in words, for the theme's page. */
function describeHistory(action: string, d: Record<string, unknown>, names: Map<number, string>): string {
  const theme = (id: unknown) => names.get(Number(id)) ?? `theme ${String(id)}`;
  const traits = (x: Record<string, unknown> | undefined) =>
    [
      x?.sentiment
        ? `sentiment ${SENTIMENT_WORDS[String(x.sentiment)] ?? String(x.sentiment)}`
        : 'no sentiment',
      x?.evidenceRich ? 'evidence-rich' : null,
      x?.excerpt ? 'with an excerpt' : null,
    ]
      .filter(Boolean)
      .join(', ');
  switch (action) {
    case 'assigned':
      return `${d.source === 'suggestion' ? 'Assigned from an accepted suggestion' : 'Assigned'} (${traits(d)})`;
    case 'changed':
      return `Changed: ${traits(d.before as Record<string, unknown>)} → ${traits(d.after as Record<string, unknown>)}`;
    case 'removed':
      return d.reason === 'merge'
        ? `Removed on merging into ${theme(d.intoThemeId)}: already counted there`
        : 'Removed';
    case 'moved':
      if (d.toThemeId) return `Moved to ${theme(d.toThemeId)} (${d.reason === 'merge' ? 'merge' : 'split'})`;
      return `Moved here from ${theme(d.fromThemeId)} (${d.reason === 'merge' ? 'merge' : 'split'})`;
    default:
      return action;
  }
}
