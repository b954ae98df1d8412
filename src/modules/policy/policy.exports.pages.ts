import type { FastifyInstance } from 'fastify';
import { pathId } from '../../platform/forms.ts';
import type { PolicyExports } from './policy.exports.ts';

/** A call's CSV exports and its printable response document. */
export async function exportsPages(app: FastifyInstance, opts: { exports: PolicyExports }) {
  const { exports } = opts;

  app.get(
    '/policy/calls/:id/responses.csv',
    { config: { access: ['policy-maker'], scope: 'call-owner' } },
    async (request, reply) => {
      const { filename, csv } = await exports.responsesCsv(request.actor!, pathId(request.params));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    '/policy/calls/:id/outcomes.csv',
    { config: { access: 'signed-in', scope: 'audience' } },
    async (request, reply) => {
      const { filename, csv } = await exports.outcomesCsv(request.actor!, pathId(request.params));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    '/policy/calls/:id/document',
    { config: { access: 'signed-in', scope: 'audience' } },
    async (request, reply) => {
      const doc = await exports.responseDocument(request.actor!, pathId(request.params));
      return reply.page('modules/policy/views/outcomes/document.njk', {
        pageTitle: `Our response: ${doc.call.title}`,
        ...doc,
      });
    },
  );
}
