import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { EngineJob, EngineJobs } from '../../platform/engine-jobs.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { type WorkerPool, workerModule } from '../../platform/workers.ts';
import type { EngineProgress, SuggestThemesInput, SuggestThemesResult } from './engine/index.ts';
import type { PolicyAccess } from './policy.access.ts';
import type { PolicyAnalysis } from './policy.analysis.ts';
import * as repo from './policy.analysis.repository.ts';
import { ANALYSIS_LIMITS, type AcceptInput } from './policy.analysis.schemas.ts';
import type { SuggestionStatus } from './policy.table.ts';

const suggestionEntry = workerModule(import.meta.url, './policy.worker');
export const SUGGESTIONS_JOB = 'policy.suggestions';
/** Far above what the engine needs for a national consultation (seconds). */
const SUGGESTIONS_TIME_LIMIT_MS = 120_000;
/** The most answers one run reads. */
const MAX_ANSWERS = 5000;
/** Suggestions a list shows (a run makes at most eight a question). */
export const SUGGESTIONS_SHOWN = 50;

export const SUGGESTION_STAGES = ['reading', 'clustering', 'labelling', 'saving'] as const;
export type SuggestionStage = (typeof SUGGESTION_STAGES)[number];
type SuggestionProgress = { stage: SuggestionStage; answers?: number; tried?: number; of?: number };

const jobSubject = (questionId: number) => `policy.suggestions:question:${questionId}`;

/**
 * Automatic theme suggestions for a question's text answers: the engine (TF-IDF over stemmed
 * words and phrases, k-means with k chosen by silhouette) runs in a worker thread as a job the
 * person watches; its clusters are stored as pending suggestions, replacing the pending ones of the
 * question (accepted and rejected ones stay). A suggestion counts only once a person accepts it:
 * into a new theme or an existing one, with assignments of source `suggestion` by that person.
 */
export function createPolicySuggestions(deps: {
  db: DB;
  access: PolicyAccess;
  analysis: PolicyAnalysis;
  pool: WorkerPool;
  jobs: EngineJobs;
}) {
  const { db, analysis, pool, jobs } = deps;

  async function questionToAnalyse(actor: Actor, callId: number, questionId: number) {
    const call = await analysis.manageCall(actor, callId);
    const question = await analysis.questionOf(callId, questionId);
    if (question.kind !== 'text')
      throw new ValidationError([
        {
          field: 'questionId',
          message: 'Themes are suggested from written answers: choose an open text question',
        },
      ]);
    return { call, question };
  }

  async function refuseWhileRunning(questionId: number) {
    const running = await jobs.findRunning(jobSubject(questionId));
    if (running)
      throw new ConflictError(
        `Themes for this question are already being suggested (started by ${running.startedByName ?? 'someone'}): follow its progress at /policy/suggestion-jobs/${running.id}`,
      );
  }

  /** Starts the engine for a question as a job; returns the job's id at once. */
  async function startSuggestions(actor: Actor, callId: number, questionId: number) {
    const { call, question } = await questionToAnalyse(actor, callId, questionId);
    await refuseWhileRunning(questionId);
    const started = jobs.start(
      {
        kind: SUGGESTIONS_JOB,
        regionCode: null,
        subjectKey: jobSubject(questionId),
        subjectId: questionId,
        startedBy: actor.userId,
      },
      async ({ signal, progress }) => {
        progress({ stage: 'reading' } satisfies SuggestionProgress);
        const answers = (await repo.listTextAnswers(db, questionId, MAX_ANSWERS)).map((a) => ({
          responseId: a.response_id,
          text: a.text_value ?? '',
        }));
        signal.throwIfAborted();
        const result = await pool.run<SuggestThemesInput, SuggestThemesResult, EngineProgress>(
          suggestionEntry,
          { answers },
          {
            timeoutMs: SUGGESTIONS_TIME_LIMIT_MS,
            signal,
            onProgress: (p) => progress({ ...p, answers: answers.length } satisfies SuggestionProgress),
          },
        );
        signal.throwIfAborted();
        progress({ stage: 'saving', answers: answers.length } satisfies SuggestionProgress);
        await db.transaction().execute(async (trx) => {
          // The person may have lost the call meanwhile (ownership changed): checked again as it is written.
          await analysis.manageCall(actor, callId, trx);
          await repo.replacePendingSuggestions(
            trx,
            callId,
            questionId,
            result.themes.map((t) => ({
              label: t.label.slice(0, ANALYSIS_LIMITS.themeName),
              keyphrases: t.keyphrases,
              responseIds: t.responseIds,
              score: t.score,
            })),
          );
          await recordAudit(trx, actor, {
            action: 'policy.suggestions.run',
            entityType: 'policy_call_question',
            entityId: questionId,
            summary: `Suggested ${result.themes.length} theme${result.themes.length === 1 ? '' : 's'} from ${result.analysed} answers to question ${question.position} of the call ${call.title}`,
            details: {
              k: result.k,
              silhouette: result.silhouette,
              analysed: result.analysed,
              vocabulary: result.vocabulary,
            },
          });
        });
        return questionId;
      },
    );
    return started.catch(async (err) => {
      if (err instanceof ConflictError) await refuseWhileRunning(questionId);
      throw err;
    });
  }

  /** A suggestion job, for those who manage its call; anyone else is told there is no such job. */
  async function getSuggestionJob(actor: Actor, id: number) {
    const job = await jobs.find(id);
    if (!job || job.kind !== SUGGESTIONS_JOB || job.subjectId === null)
      throw new NotFoundError('There is no such suggestion run');
    const question = await repo.findQuestion(db, job.subjectId);
    if (!question) throw new NotFoundError('There is no such suggestion run');
    try {
      const { manage } = await analysis.readCall(actor, question.call_id);
      if (!manage) throw new NotFoundError();
    } catch {
      throw new NotFoundError('There is no such suggestion run');
    }
    return describeJob(job, question);
  }

  function describeJob(
    job: EngineJob,
    question: { id: number; call_id: number; position: number; prompt: string },
  ) {
    const p = (job.progress ?? {}) as Partial<SuggestionProgress>;
    const stage: SuggestionStage = p.stage ?? 'reading';
    const step = job.status === 'succeeded' ? SUGGESTION_STAGES.length : SUGGESTION_STAGES.indexOf(stage) + 1;
    return {
      id: job.id,
      status: job.status,
      callId: question.call_id,
      questionId: question.id,
      questionPosition: question.position,
      questionPrompt: question.prompt,
      startedBy: job.startedByName,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      cancelRequested: job.cancelRequested,
      error: job.error,
      progress: {
        stage,
        step,
        steps: SUGGESTION_STAGES.length,
        answers: p.answers ?? null,
        tried: p.tried ?? null,
        of: p.of ?? null,
      },
    };
  }
  type SuggestionJob = ReturnType<typeof describeJob>;

  async function cancelSuggestionJob(actor: Actor, id: number): Promise<SuggestionJob> {
    const job = await getSuggestionJob(actor, id);
    if (job.status !== 'running') throw new ConflictError('This suggestion run has already finished');
    await jobs.requestCancel(id);
    await recordAudit(db, actor, {
      action: 'policy.suggestions.cancel',
      entityType: 'engine-job',
      entityId: id,
      summary: `Cancelled suggesting themes for question ${job.questionPosition} (job ${id})`,
    });
    return job;
  }

  /** The suggestions of a call (one question or all), by status; marked as suggestions, never counted. */
  async function listSuggestions(
    actor: Actor,
    callId: number,
    opts: { questionId?: number; status: SuggestionStatus },
  ) {
    await analysis.readCall(actor, callId);
    const questions = await repo.listQuestions(db, callId);
    const ids =
      opts.questionId === undefined
        ? questions.map((q) => q.id)
        : questions.filter((q) => q.id === opts.questionId).map((q) => q.id);
    if (opts.questionId !== undefined && !ids.length)
      throw new NotFoundError('There is no such question in this call');
    return (await repo.listSuggestions(db, ids, opts.status, SUGGESTIONS_SHOWN)).map(presentSuggestion);
  }

  /** Accepts a suggestion into a new theme (its label, or the name given) or an existing one. */
  async function acceptSuggestion(actor: Actor, id: number, input: AcceptInput) {
    return db.transaction().execute(async (trx) => {
      const found = await repo.findSuggestion(trx, id);
      if (!found) throw new NotFoundError('There is no such suggestion');
      const call = await analysis.manageCall(actor, found.call_id, trx);
      await repo.lockQuestion(trx, found.question_id);
      const suggestion = (await repo.lockSuggestion(trx, id))!;
      if (suggestion.status !== 'pending')
        throw new ConflictError(`This suggestion has already been ${suggestion.status}`);
      let theme: { id: number; call_id: number; question_id: number; name: string };
      if (input.themeId !== undefined) {
        const existing = await repo.lockTheme(trx, input.themeId);
        if (!existing || existing.question_id !== suggestion.question_id || existing.merged_into_id !== null)
          throw new ValidationError([
            { field: 'themeId', message: 'Choose a current theme of this question, or a new theme' },
          ]);
        theme = existing;
      } else {
        const name = input.name ?? suggestion.label.slice(0, ANALYSIS_LIMITS.themeName);
        await analysis.requireUniqueName(trx, suggestion.question_id, name, null, 'name');
        const themeId = await repo.insertTheme(trx, {
          callId: suggestion.call_id,
          questionId: suggestion.question_id,
          name,
          description: `Accepted from a suggestion (key phrases: ${suggestion.keyphrases.join(', ')})`.slice(
            0,
            ANALYSIS_LIMITS.description,
          ),
          createdBy: actor.userId,
        });
        theme = { id: themeId, call_id: suggestion.call_id, question_id: suggestion.question_id, name };
        await recordAudit(trx, actor, {
          action: 'policy.theme.create',
          entityType: 'policy_theme',
          entityId: themeId,
          summary: `Added the theme ${name} to a question of the call ${call.title}, from a suggestion`,
          details: { suggestionId: id },
        });
      }
      // Only responses still submitted to this question count (a response cannot vanish, but be safe).
      const responses = await repo.filterAnsweredResponses(
        trx,
        suggestion.call_id,
        suggestion.question_id,
        suggestion.response_ids,
      );
      const assigned = await analysis.assignInTransaction(
        trx,
        actor,
        theme,
        responses.map((r) => ({ responseId: r.id, excerpt: null, sentiment: null, evidenceRich: false })),
        'suggestion',
      );
      await repo.decideSuggestion(trx, id, {
        status: 'accepted',
        decidedBy: actor.userId,
        themeId: theme.id,
      });
      await recordAudit(trx, actor, {
        action: 'policy.suggestion.accept',
        entityType: 'policy_theme_suggestion',
        entityId: id,
        summary: `Accepted the suggested theme ${suggestion.label} into ${theme.name}: ${assigned.length} response${assigned.length === 1 ? '' : 's'} counted (call ${call.title})`,
        details: { themeId: theme.id, assigned: assigned.length },
      });
      return { themeId: theme.id, themeName: theme.name, assigned: assigned.length };
    });
  }

  async function rejectSuggestion(actor: Actor, id: number) {
    return db.transaction().execute(async (trx) => {
      const found = await repo.findSuggestion(trx, id);
      if (!found) throw new NotFoundError('There is no such suggestion');
      const call = await analysis.manageCall(actor, found.call_id, trx);
      const suggestion = (await repo.lockSuggestion(trx, id))!;
      if (suggestion.status !== 'pending')
        throw new ConflictError(`This suggestion has already been ${suggestion.status}`);
      await repo.decideSuggestion(trx, id, { status: 'rejected', decidedBy: actor.userId, themeId: null });
      await recordAudit(trx, actor, {
        action: 'policy.suggestion.reject',
        entityType: 'policy_theme_suggestion',
        entityId: id,
        summary: `Rejected the suggested theme ${suggestion.label} (call ${call.title})`,
      });
      return { callId: suggestion.call_id, questionId: suggestion.question_id };
    });
  }

  /** Where a suggestion's call and question are, for the page to return to (the policy team only). */
  async function locateSuggestion(actor: Actor, id: number) {
    const found = await repo.findSuggestion(db, id);
    if (!found) throw new NotFoundError('There is no such suggestion');
    await analysis.readCall(actor, found.call_id);
    return { callId: found.call_id, questionId: found.question_id };
  }

  return {
    startSuggestions,
    getSuggestionJob,
    cancelSuggestionJob,
    listSuggestions,
    acceptSuggestion,
    rejectSuggestion,
    locateSuggestion,
  };
}
export type PolicySuggestions = ReturnType<typeof createPolicySuggestions>;
export type SuggestionView = ReturnType<typeof presentSuggestion>;

function presentSuggestion(s: Awaited<ReturnType<typeof repo.listSuggestions>>[number]) {
  return {
    id: s.id,
    questionId: s.question_id,
    label: s.label,
    keyphrases: s.keyphrases,
    responseIds: s.response_ids,
    responses: s.response_ids.length,
    score: s.score,
    status: s.status,
    themeId: s.theme_id,
    themeName: s.theme_name,
    decidedBy: s.decided_by_name,
    decidedAt: s.decided_at,
    createdAt: s.created_at,
  };
}
