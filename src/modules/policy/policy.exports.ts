import { stringify } from 'csv-stringify/sync';
import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { Actor } from '../../platform/permissions.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import type { PolicyAccess } from './policy.access.ts';
import * as repo from './policy.exports.repository.ts';
import * as outcomesRepo from './policy.outcomes.repository.ts';
import { loadOutcomeViews } from './policy.outcomes.ts';

export const RESPONSES_API_PAGE_SIZE = 100;
/** The most responses one CSV holds; a larger call is exported page by page through the API. */
export const CSV_MAX_RESPONSES = 20_000;
const QUOTES_PER_THEME = 3;

/** A spreadsheet must never run a cell as a formula (as the members export guards its cells). */
export function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const professionLabel = (key: string | null) =>
  key ? (PROFESSIONS.find((p) => p.key === key)?.label ?? key) : null;

type Answer = Awaited<ReturnType<typeof repo.listAnswers>>[number];
function answerText(a: Answer | undefined): string {
  if (!a) return '';
  if (a.text_value !== null) return a.text_value;
  if (a.scale_value !== null) return String(a.scale_value);
  return a.choice_values.join('; ');
}

/**
 * What leaves a call: its responses (confidential ones never) as CSV and JSON, its outcomes as CSV,
 * and the printable response document of a concluded call. Responses are the call's owner's (and
 * the national team's) to export, and each export is audited; outcomes and the document are for
 * everyone the call is aimed at.
 */
export function createExports(deps: { db: DB; access: PolicyAccess }) {
  const { db, access } = deps;

  async function responsesWithAnswers(callId: number, limit: number, offset: number) {
    const [questions, rows] = await Promise.all([
      outcomesRepo.listQuestions(db, callId),
      repo.listExportableResponses(db, callId, limit, offset),
    ]);
    const answers = await repo.listAnswers(
      db,
      rows.map((r) => r.id),
    );
    const byResponse = new Map<number, Map<number, Answer>>();
    for (const a of answers) {
      if (!byResponse.has(a.response_id)) byResponse.set(a.response_id, new Map());
      byResponse.get(a.response_id)!.set(a.question_id, a);
    }
    return {
      questions,
      responses: rows.map((r) => ({
        id: r.id,
        submittedAt: r.submitted_at ? r.submitted_at.toISOString() : null,
        name: r.name,
        onBehalfOf: r.on_behalf_of,
        regionCode: r.region_code,
        profession: professionLabel(r.profession),
        specialty: r.specialty,
        setting: r.setting,
        answers: questions.map((q) => {
          const a = byResponse.get(r.id)?.get(q.id);
          return {
            questionId: q.id,
            text: a?.text_value ?? null,
            choices: a?.choice_values ?? [],
            scale: a?.scale_value ?? null,
            display: answerText(a),
          };
        }),
      })),
    };
  }

  async function responsesCsv(actor: Actor, callId: number): Promise<{ filename: string; csv: string }> {
    const { call } = await access.loadCallToManage(actor, callId);
    const { questions, responses } = await responsesWithAnswers(callId, CSV_MAX_RESPONSES, 0);
    const header = [
      'response',
      'submitted_at',
      'name',
      'on_behalf_of_organisation',
      'region',
      'profession',
      'specialty',
      'setting',
      ...questions.map((q) => `Q${q.position}: ${q.prompt}`),
    ];
    const lines = responses.map((r) => [
      r.id,
      r.submittedAt,
      r.name,
      r.onBehalfOf,
      r.regionCode,
      r.profession,
      r.specialty,
      r.setting,
      ...r.answers.map((a) => a.display),
    ]);
    await recordAudit(db, actor, {
      action: 'policy.responses.export',
      entityType: 'policy_call',
      entityId: callId,
      summary: `Exported ${responses.length} responses (confidential ones left out) of the call “${call.title}” as CSV`,
      details: { count: responses.length },
    });
    return {
      filename: `call-${callId}-responses.csv`,
      csv: stringify([header.map(safeCell), ...lines.map((l) => l.map(safeCell))]),
    };
  }

  async function responsesPage(actor: Actor, callId: number, page: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const [{ n }, data] = await Promise.all([
      repo.countExportableResponses(db, callId),
      responsesWithAnswers(callId, RESPONSES_API_PAGE_SIZE, (page - 1) * RESPONSES_API_PAGE_SIZE),
    ]);
    await recordAudit(db, actor, {
      action: 'policy.responses.read',
      entityType: 'policy_call',
      entityId: callId,
      summary: `Read page ${page} of the responses (confidential ones left out) of the call “${call.title}” through the API`,
      details: { page, count: data.responses.length },
    });
    return {
      callId,
      total: Number(n),
      page,
      pageSize: RESPONSES_API_PAGE_SIZE,
      questions: data.questions.map((q) => ({
        id: q.id,
        position: q.position,
        kind: q.kind,
        prompt: q.prompt,
      })),
      responses: data.responses.map((r) => ({
        ...r,
        answers: r.answers.map(({ display: _d, ...a }) => a),
      })),
    };
  }

  async function outcomesCsv(actor: Actor, callId: number): Promise<{ filename: string; csv: string }> {
    await access.loadCallFor(actor, callId);
    const outcomes = await loadOutcomeViews(db, [callId]);
    const header = [
      'outcome',
      'about',
      'decision',
      'reason',
      'summary',
      'owner',
      'decided_on',
      'milestone',
      'milestone_due_on',
      'milestone_status',
      'milestone_progress',
      'milestone_note',
    ];
    const lines: unknown[][] = [];
    for (const o of outcomes) {
      const base = [o.id, o.about, o.decisionLabel, o.reason, o.summary, o.ownerRole, o.decidedOn];
      if (!o.milestones.length) lines.push([...base, '', '', '', '', '']);
      for (const m of o.milestones)
        lines.push([...base, m.title, m.dueOn, m.statusLabel, m.progress, m.note]);
    }
    return {
      filename: `call-${callId}-outcomes.csv`,
      csv: stringify([header, ...lines].map((l) => l.map(safeCell))),
    };
  }

  /** The printable response document: once the call has concluded (its owner may preview it once closed). */
  async function responseDocument(actor: Actor, callId: number) {
    const { call, manage } = await access.loadCallFor(actor, callId);
    // Until the call concludes, its audience is told when the document comes; its owner previews it once closed.
    if (!(call.status === 'concluded' || (manage && call.status === 'closed')))
      return { ready: false as const, call: { id: call.id, title: call.title, status: call.status } };
    const [themes, outcomes, quotes, questions, { n }] = await Promise.all([
      outcomesRepo.listLiveThemes(db, callId),
      loadOutcomeViews(db, [callId]),
      repo.listQuotes(db, callId, QUOTES_PER_THEME),
      outcomesRepo.listQuestions(db, callId),
      repo.countExportableResponses(db, callId),
    ]);
    return {
      ready: true as const,
      call: {
        id: call.id,
        title: call.title,
        summary: call.summary,
        status: call.status,
        opensOn: call.opens_on,
        closesOn: call.closes_on,
        publishedResponse: call.published_response,
        publishedAt: call.published_at,
      },
      preview: call.status !== 'concluded',
      publicResponses: Number(n),
      questions: questions.map((q) => ({
        id: q.id,
        position: q.position,
        prompt: q.prompt,
        themes: themes
          .filter((t) => t.question_id === q.id)
          .map((t) => ({
            id: t.id,
            name: t.name,
            responses: Number(t.responses ?? 0),
            quotes: quotes.filter((x) => x.theme_id === t.id).map((x) => x.quote),
            outcomes: outcomes.filter((o) => o.themeId === t.id),
          })),
        outcomes: outcomes.filter((o) => o.questionId === q.id),
      })),
    };
  }

  return { responsesCsv, responsesPage, outcomesCsv, responseDocument };
}
export type PolicyExports = ReturnType<typeof createExports>;
