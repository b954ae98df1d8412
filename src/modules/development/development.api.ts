import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema as errorOut, idParam, pageQuery } from '../../platform/schemas.ts';
import {
  feedbackInput,
  frameworkOut,
  frameworkStructureInput,
  goalInput,
  newFrameworkInput,
  planInput,
  planOut,
  profilesOut,
  ratersInput,
  reportOut,
  reviewInput,
  roundInput,
  selfAssessmentInput,
  selfAssessmentOut,
  sharingInput,
  versionOut,
  versionQuery,
} from './development.schemas.ts';
import type { DevelopmentService, VersionStructure } from './development.service.ts';

const PAGE_SIZE = 50;
const created = z.object({ id: z.number() });

function presentVersion(v: VersionStructure) {
  return {
    id: v.id,
    frameworkId: v.frameworkId,
    frameworkKey: v.frameworkKey,
    frameworkName: v.frameworkName,
    versionNumber: v.versionNumber,
    edition: v.edition,
    note: v.note,
    scale: v.scale,
    domains: v.domains,
  };
}

/** JSON API of the development module, under /api/v1/development. */
export async function developmentApi(base: FastifyInstance, opts: { development: DevelopmentService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const dev = opts.development;
  const tags = ['development'];

  app.get(
    '/api/v1/development/frameworks',
    {
      config: { access: 'signed-in' },
      schema: {
        tags,
        summary: 'Leadership frameworks and their current versions',
        response: { 200: z.object({ frameworks: z.array(frameworkOut) }) },
      },
    },
    async () => ({ frameworks: await dev.listFrameworks() }),
  );

  app.get(
    '/api/v1/development/framework-versions/:id',
    {
      config: { access: 'signed-in', scope: 'network' },
      schema: {
        tags,
        summary: 'One framework version: rating scale, domains and elements',
        params: idParam,
        response: { 200: versionOut, 404: errorOut },
      },
    },
    async (request) => presentVersion(await dev.getVersion(request.params.id)),
  );

  app.post(
    '/api/v1/development/frameworks',
    {
      config: { access: ['national'] },
      schema: {
        tags,
        summary: 'Add a framework (national team)',
        body: newFrameworkInput,
        response: {
          201: z.object({ frameworkId: z.number(), versionId: z.number() }),
          400: errorOut,
          403: errorOut,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await dev.createFramework(request.actor!, request.body)),
  );

  app.post(
    '/api/v1/development/frameworks/:id/versions',
    {
      config: { access: ['national'], scope: 'network' },
      schema: {
        tags,
        summary: 'Publish the next version of a framework (national team); earlier versions are kept',
        params: idParam,
        body: frameworkStructureInput,
        response: {
          201: z.object({ versionId: z.number(), versionNumber: z.number() }),
          400: errorOut,
          403: errorOut,
          404: errorOut,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dev.publishVersion(request.actor!, request.params.id, request.body)),
  );

  app.get(
    '/api/v1/development/my-framework',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'The framework version your region or cohort uses now',
        response: { 200: versionOut },
      },
    },
    async (request) => presentVersion(await dev.getMyFramework(request.actor!)),
  );

  // ---- self-assessments (own) ----
  app.get(
    '/api/v1/development/self-assessments',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Your self-assessments, newest first',
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            selfAssessments: z.array(
              z.object({
                id: z.number(),
                createdAt: z.date(),
                versionId: z.number(),
                framework: z.string(),
                meanRating: z.number().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await dev.listSelfAssessments(request.actor!, request.query.page, PAGE_SIZE);
      return { total, page: request.query.page, selfAssessments: rows };
    },
  );
  app.post(
    '/api/v1/development/self-assessments',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary:
          'Record a self-assessment: a rating on the version’s scale for every element (optional domains may be left out)',
        body: selfAssessmentInput,
        response: { 201: created, 400: errorOut },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dev.saveSelfAssessment(request.actor!, request.body)),
  );
  app.get(
    '/api/v1/development/self-assessments/:id',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary: 'One of your self-assessments, with the change since the previous one',
        params: idParam,
        response: { 200: selfAssessmentOut, 404: errorOut },
      },
    },
    async (request) => {
      const a = await dev.getSelfAssessment(request.actor!, request.params.id);
      return {
        id: a.id,
        versionId: a.versionId,
        createdAt: a.createdAt,
        previousId: a.previous?.id ?? null,
        ratings: a.ratings,
      };
    },
  );

  // ---- 360-degree feedback (own) ----
  app.get(
    '/api/v1/development/feedback-rounds',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Your 360-degree feedback rounds',
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            rounds: z.array(
              z.object({
                id: z.number(),
                title: z.string(),
                closesOn: z.string(),
                open: z.boolean(),
                invited: z.number(),
                responses: z.number(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await dev.listRounds(request.actor!, request.query.page, PAGE_SIZE);
      return { total, page: request.query.page, rounds: rows };
    },
  );
  app.post(
    '/api/v1/development/feedback-rounds',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Start a 360-degree feedback round',
        body: roundInput,
        response: { 201: created, 400: errorOut },
      },
    },
    async (request, reply) => reply.status(201).send(await dev.createRound(request.actor!, request.body)),
  );
  app.post(
    '/api/v1/development/feedback-rounds/:id/raters',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary: 'Invite raters by email (each gets a single-use link); all or none are invited',
        params: idParam,
        body: ratersInput,
        response: { 201: z.object({ invited: z.number() }), 400: errorOut, 404: errorOut, 409: errorOut },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dev.inviteRaters(request.actor!, request.params.id, request.body.raters)),
  );
  app.get(
    '/api/v1/development/feedback-rounds/:id/report',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary:
          'The 360 report once the round has closed. A group with fewer than 3 responses is merged into other raters; every figure needs 3 raters who rated it, else it is null; "not able to say" is a count; nothing is shown with fewer than 3 responses in all',
        params: idParam,
        response: { 200: reportOut, 404: errorOut, 409: errorOut },
      },
    },
    async (request) => {
      const r = await dev.getReport(request.actor!, request.params.id);
      return {
        roundId: r.roundId,
        title: r.title,
        closesOn: r.closesOn,
        closedOn: r.closedOn,
        closedEarly: r.closedEarly,
        responses: r.responses,
        columns: r.columns,
        domains: r.domains,
        elements: r.elements,
        strengths: r.strengths,
        gaps: r.gaps,
        comments: r.comments,
      };
    },
  );
  app.post(
    '/api/v1/development/feedback/:token',
    {
      config: { access: 'public', scope: 'token' },
      schema: {
        tags,
        summary: 'A rater answers through their single-use link (no account needed)',
        params: z.object({ token: z.string().min(20).max(100) }),
        body: feedbackInput,
        security: [],
        response: { 201: z.object({ saved: z.literal(true) }), 400: errorOut, 404: errorOut, 410: errorOut },
      },
    },
    async (request, reply) => {
      await dev.submitFeedback(request.params.token, request.body, {
        userId: null,
        label: '360 rater (anonymous)',
        ip: request.ip,
        requestId: request.id,
      });
      return reply.status(201).send({ saved: true as const });
    },
  );

  // ---- development plans (own, or shared with you) ----
  app.get(
    '/api/v1/development/plans',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Your development plans',
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            plans: z.array(
              z.object({
                id: z.number(),
                title: z.string(),
                goals: z.number(),
                shareWithMentor: z.boolean(),
                shareWithFacilitator: z.boolean(),
                updatedAt: z.date(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await dev.listPlans(request.actor!, request.query.page, PAGE_SIZE);
      return { total, page: request.query.page, plans: rows };
    },
  );
  app.post(
    '/api/v1/development/plans',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Start a development plan on your framework',
        body: planInput,
        response: { 201: created, 400: errorOut },
      },
    },
    async (request, reply) => reply.status(201).send(await dev.createPlan(request.actor!, request.body)),
  );
  app.get(
    '/api/v1/development/plans/:id',
    {
      config: { access: ['member', 'mentor', 'facilitator'], scope: 'shared' },
      schema: {
        tags,
        summary: 'A development plan: yours, or one a member has shared with you',
        params: idParam,
        response: { 200: planOut, 404: errorOut },
      },
    },
    async (request) => {
      const p = await dev.getPlan(request.actor!, request.params.id);
      return {
        id: p.id,
        title: p.title,
        versionId: p.versionId,
        framework: p.framework,
        shareWithMentor: p.shareWithMentor,
        shareWithFacilitator: p.shareWithFacilitator,
        owner: p.owner,
        goals: p.goals,
        reviews: p.reviews,
      };
    },
  );
  app.put(
    '/api/v1/development/plans/:id/sharing',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary: 'Choose whether your mentor and your facilitator may see the plan',
        params: idParam,
        body: sharingInput,
        response: { 204: z.null(), 400: errorOut, 404: errorOut },
      },
    },
    async (request, reply) => {
      await dev.updateSharing(request.actor!, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/development/plans/:id/goals',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary: 'Add a goal, linked to an element of the plan’s framework version',
        params: idParam,
        body: goalInput,
        response: { 201: created, 400: errorOut, 404: errorOut },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dev.addGoal(request.actor!, request.params.id, request.body)),
  );
  app.put(
    '/api/v1/development/goals/:id',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary: 'Update a goal',
        params: idParam,
        body: goalInput,
        response: { 204: z.null(), 400: errorOut, 404: errorOut },
      },
    },
    async (request, reply) => {
      await dev.updateGoal(request.actor!, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/development/plans/:id/reviews',
    {
      config: { access: ['member', 'mentor', 'facilitator'], scope: 'shared' },
      schema: {
        tags,
        summary: 'Add a review to a plan you can see',
        params: idParam,
        body: reviewInput,
        response: { 201: created, 400: errorOut, 404: errorOut },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dev.addReview(request.actor!, request.params.id, request.body)),
  );

  // ---- aggregate profiles ----
  app.get(
    '/api/v1/development/profiles',
    {
      config: { access: ['regional-lead'] },
      schema: {
        tags,
        summary:
          'Regional and national competency profiles from self and 360 ratings. Figures resting on fewer than 5 people are withheld (null, suppressed: true). National team: all regions; regional lead: own region',
        querystring: versionQuery,
        response: { 200: profilesOut, 403: errorOut, 404: errorOut },
      },
    },
    async (request) => {
      const p = await dev.getProfiles(request.actor!, request.query.version);
      return { versionId: p.versionId, framework: p.framework, minimumPeople: p.minimumPeople, rows: p.rows };
    },
  );
}
