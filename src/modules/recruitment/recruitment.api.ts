import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseForm } from '../../platform/forms.ts';
import { idParam } from '../../platform/schemas.ts';
import { anonymousActor } from './recruitment.apply.pages.ts';
import {
  intakeInput,
  intakeOut,
  applicationDetailOut,
  applicationSubmission,
  applicationSummaryOut,
  bulkDecisionInput,
  decisionInput,
  listQuery,
} from './recruitment.schemas.ts';
import type { ApplicationDetail, RecruitmentService } from './recruitment.service.ts';
import { APPLICATION_STATUSES } from './recruitment.table.ts';

const errorOut = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});
const regionParam = z.object({ code: z.string().regex(/^Q3\d$/, 'A region code from Q30 to Q39') });
const outcomeOut = z.object({
  id: z.number().int(),
  reference: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  message: z.string(),
});

function presentApi(a: ApplicationDetail) {
  return {
    id: a.id,
    reference: a.reference,
    regionCode: a.regionCode,
    status: a.status,
    name: a.name,
    email: a.email,
    profession: a.profession,
    registrationNumber: a.registrationNumber,
    employer: { odsCode: a.employer.odsCode, name: a.employer.name },
    jobTitle: a.jobTitle,
    endorsement: a.endorsement,
    waitlistRank: a.waitlistRank,
    submittedAt: a.submittedAt,
    givenName: a.givenName,
    familyName: a.familyName,
    phone: a.phone,
    register: a.register,
    roleSummary: a.roleSummary,
    leadershipExperience: a.leadershipExperience,
    motivation: a.motivation,
    sponsor: a.sponsor,
    endorsementComment: a.endorsementComment,
    decisionReason: a.decisionReason,
    offerExpiresOn: a.offerExpiresOn,
    intakeId: a.intakeId,
    userId: a.userId,
  };
}

/** JSON routes for applications: public submission; list and decide for the region's leads. */
export async function recruitmentApi(base: FastifyInstance, opts: { recruitment: RecruitmentService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { recruitment } = opts;

  app.post(
    '/api/v1/applications',
    {
      config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['recruitment'],
        summary: 'Submit an application to join the network (no account needed)',
        description:
          'The applicant is emailed an acknowledgement with a private status link; the sponsor is emailed a single-use endorsement link.',
        security: [],
        body: applicationSubmission,
        response: {
          201: z.object({ id: z.number().int(), reference: z.string(), regionCode: z.string() }),
          400: errorOut,
          409: errorOut,
        },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const created = await recruitment.submitApplication(
        input,
        anonymousActor(request, `${input.givenName} ${input.familyName} <${input.email}> (applicant, API)`),
        'api',
      );
      reply.status(201);
      return { id: created.id, reference: created.reference, regionCode: created.regionCode };
    },
  );

  app.get(
    '/api/v1/employers',
    {
      config: { access: 'public' },
      schema: {
        tags: ['recruitment'],
        summary:
          'Search open employers (NHS trusts, ICBs, and GP practices, pharmacies and dental practices loaded from ODS) by name, town or ODS code (the application employer picker)',
        security: [],
        querystring: z.object({ q: z.string().trim().min(2).max(100) }),
        response: {
          200: z.object({
            employers: z.array(
              z.object({
                odsCode: z.string(),
                name: z.string(),
                town: z.string().nullable(),
                kind: z.enum(['trust', 'icb', 'gp-practice', 'pharmacy', 'dental-practice']),
                kindLabel: z.string(),
                regionCode: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ employers: await recruitment.searchEmployers(request.query.q) }),
  );

  app.get(
    '/api/v1/regions/:code/intakes',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary: "A region's intakes: their dates, open or closed, and how many applications each holds",
        params: regionParam,
        response: { 200: z.object({ intakes: z.array(intakeOut) }), 403: errorOut, 404: errorOut },
      },
    },
    async (request) => ({ intakes: await recruitment.listIntakes(request.actor!, request.params.code) }),
  );

  app.post(
    '/api/v1/regions/:code/intakes',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary:
          'Add an intake to a region (its name, the dates it takes applications, open or closed); two open intakes of a region cannot overlap',
        params: regionParam,
        body: intakeInput,
        response: { 201: intakeOut, 400: errorOut, 403: errorOut, 404: errorOut },
      },
    },
    async (request, reply) => {
      const id = await recruitment.addIntake(request.actor!, request.params.code, request.body);
      reply.status(201);
      return recruitment.getIntake(request.actor!, id);
    },
  );

  app.put(
    '/api/v1/intakes/:id',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary: "Change an intake's name, dates or status",
        params: idParam,
        body: intakeInput,
        response: { 200: intakeOut, 400: errorOut, 403: errorOut, 404: errorOut },
      },
    },
    async (request) => {
      await recruitment.updateIntake(request.actor!, request.params.id, request.body);
      return recruitment.getIntake(request.actor!, request.params.id);
    },
  );

  app.get(
    '/api/v1/regions/:code/applications',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary:
          "A region's applications, filtered, sorted and paginated (the region's leads and the national team)",
        params: regionParam,
        querystring: listQuery,
        response: {
          200: z.object({
            applications: z.array(applicationSummaryOut),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
            quota: z.object({
              quota: z.number().int(),
              taken: z.number().int(),
              waitlisted: z.number().int(),
            }),
          }),
          403: errorOut,
          404: errorOut,
        },
      },
    },
    async (request) => {
      const list = await recruitment.listApplications(request.actor!, request.params.code, request.query);
      const summary = await recruitment.regionSummary(request.actor!, request.params.code);
      return {
        applications: list.rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          regionCode: r.regionCode,
          status: r.status,
          name: r.name,
          email: r.email,
          profession: r.profession,
          registrationNumber: r.registrationNumber,
          employer: r.employer,
          jobTitle: r.jobTitle,
          endorsement: r.endorsement,
          waitlistRank: r.waitlistRank,
          submittedAt: r.submittedAt,
        })),
        total: list.total,
        page: request.query.page,
        pageSize: list.pageSize,
        quota: { quota: summary.quota, taken: summary.taken, waitlisted: summary.counts.waitlisted },
      };
    },
  );

  app.get(
    '/api/v1/applications/:id',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary: 'One application in full (a lead of its region, or the national team)',
        params: idParam,
        response: { 200: applicationDetailOut, 404: errorOut },
      },
    },
    async (request) => presentApi(await recruitment.getApplication(request.actor!, request.params.id)),
  );

  app.post(
    '/api/v1/applications/:id/decision',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary:
          'Decide on an application: shortlist, offer, decline (with reason), waitlist (with rank) or withdraw',
        description:
          'An offer beyond the quota puts the applicant on the waitlist; the response says which happened.',
        params: idParam,
        body: z.strictObject({
          decision: z.enum(['shortlist', 'offer', 'decline', 'waitlist', 'withdraw']),
          reason: z.string().max(500).optional(),
          rank: z.number().int().min(1).max(10_000).optional(),
        }),
        response: { 200: outcomeOut, 400: errorOut, 404: errorOut, 409: errorOut },
      },
    },
    async (request) => {
      const parsed = parseForm(decisionInput, request.body);
      return recruitment.decide(request.actor!, request.params.id, parsed);
    },
  );

  app.post(
    '/api/v1/regions/:code/applications/decisions',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['recruitment'],
        summary: 'One decision for several applications of a region, all or none',
        params: regionParam,
        body: z.strictObject({
          ids: z.array(z.number().int().positive()).min(1).max(200),
          decision: z.enum(['shortlist', 'offer', 'waitlist', 'decline']),
          reason: z.string().max(500).optional(),
        }),
        response: {
          200: z.object({ outcomes: z.array(outcomeOut) }),
          400: errorOut,
          404: errorOut,
          409: errorOut,
        },
      },
    },
    async (request) => {
      const input = parseForm(bulkDecisionInput, request.body);
      return {
        outcomes: await recruitment.decideMany(request.actor!, request.params.code, input.ids, input),
      };
    },
  );
}
