import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseQuery } from './forms.ts';

/** How often a job's progress page checks again while the job runs. */
export const JOB_REFRESH_SECONDS = 1;

/** `?refresh=off` stops a job's page refreshing itself; anything else keeps it (no error for a bad value). */
const refreshQuery = z.object({ refresh: z.string().max(10).optional() });

/**
 * The progress page of a job (set formation, mentor matching) refreshes itself with a Refresh
 * header while the job runs, so it needs no JavaScript; the person can turn that off (WCAG 2.2.1)
 * and check by hand. Returns what `appJobRefresh` (views/macros/jobs.njk) shows.
 */
export function refreshWhileRunning(request: FastifyRequest, reply: FastifyReply, running: boolean) {
  const { refresh } = parseQuery(refreshQuery, request.query);
  const autoRefresh = running && refresh !== 'off';
  if (autoRefresh) reply.header('refresh', String(JOB_REFRESH_SECONDS));
  return { autoRefresh, refreshSeconds: JOB_REFRESH_SECONDS };
}
