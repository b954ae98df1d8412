import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import {
  checkQuery,
  paginationFor,
  parseForm,
  parsePathParams,
  parseQuery,
  queryString,
  withFormErrors as handleFormErrors,
} from '../../platform/forms.ts';
import { isNational, type Role } from '../../platform/permissions.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import { idParam } from '../../platform/schemas.ts';
import { IMPORT_COLUMNS, type MembersCsv } from './members.csv.ts';
import { isStaffFor } from './members.privacy.ts';
import { PHOTO_MAX_BYTES } from './members.render.ts';
import {
  CONTACT_METHODS,
  directoryQuery,
  erasureDecisionSchema,
  erasureRequestSchema,
  mergerSchema,
  organisationQuery,
  PROJECT_STAGES,
  profileUpdateSchema,
  projectSchema,
  SECTION_LABELS,
  SECTIONS,
  specialtySchema,
  STAGE_LABELS,
  STATUS_LABELS,
  STATUSES,
  VISIBILITIES,
  VISIBILITY_LABELS,
} from './members.schemas.ts';
import type { DataRightsService } from './members.data-rights.ts';
import { downloadJson, downloadPage } from './members.data-rights.view.ts';
import { DIRECTORY_PAGE_SIZE, type MembersService, professionLabel } from './members.service.ts';

const V = 'modules/members/views';
export const DIRECTORY_ROLES: Role[] = ['member', 'mentor', 'facilitator', 'regional-lead', 'policy-maker'];
const MEMBER_ROLES: Role[] = ['member', 'mentor'];
const ORG_PAGE_SIZE = 25;

function items(options: readonly { value: string; text: string }[], selected: unknown) {
  return options.map((o) => ({ ...o, selected: String(selected ?? '') === o.value }));
}

/** A form of these pages: the shared `withFormErrors`, with the page to show again built on demand. */
function withFormErrors(
  reply: FastifyReply,
  render: () => Promise<{ template: string; data: Record<string, unknown> }>,
  action: () => Promise<unknown>,
): Promise<unknown> {
  return handleFormErrors(
    reply,
    async (errors) => {
      const { template, data } = await render();
      return reply.page(template, { ...data, errors });
    },
    action,
  );
}

export async function membersPages(
  app: FastifyInstance,
  opts: { csv: MembersCsv; members: MembersService; dataRights: DataRightsService; baseUrl: string },
) {
  const { members, dataRights } = opts;

  app.navItems.push(
    { href: '/profile', text: 'Your profile', roles: MEMBER_ROLES },
    { href: '/directory', text: 'Directory', roles: [...DIRECTORY_ROLES, 'national'] },
  );

  const regionItems = async (empty: string) => [
    { value: '', text: empty },
    ...(await members.listRegions()).map((r) => ({ value: r.code, text: `${r.name} (${r.code})` })),
  ];
  const professionItems = (empty: string) => [
    { value: '', text: empty },
    ...PROFESSIONS.map((p) => ({ value: p.key, text: p.label })),
  ];

  // Your own profile

  app.get('/profile', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
    const { profile, employment } = await members.getOwnProfile(request.actor!);
    const pending = await members.pendingErasureOf(request.actor!.userId);
    return reply.page(`${V}/profile.njk`, {
      pageTitle: 'Your profile',
      profile,
      employment,
      own: true,
      pendingErasure: Boolean(pending),
      statusLabels: STATUS_LABELS,
      stageLabels: STAGE_LABELS,
      sectionRows: SECTIONS.map((s) => ({
        label: SECTION_LABELS[s],
        value: VISIBILITY_LABELS[profile.visibility![s] as keyof typeof VISIBILITY_LABELS],
      })),
      stageItems: PROJECT_STAGES.map((s) => ({ value: s, text: STAGE_LABELS[s] })),
    });
  });

  const editPage = async (request: FastifyRequest, values?: Record<string, unknown>) => {
    const { row } = await members.getOwnProfile(request.actor!);
    const specialties = await members.listSpecialties();
    const v = values ?? {
      name: row.name,
      profession: row.profession ?? '',
      registrationNumber: row.registration_number ?? '',
      specialtyId: row.specialty_id ?? '',
      odsCode: row.organisation_ods ?? '',
      jobTitle: row.job_title ?? '',
      regionCode: row.region_code,
      interests: row.interests.join(', '),
      expertise: row.expertise.join(', '),
      leadershipRoles: row.leadership_roles.join(', '),
      biography: row.biography ?? '',
      contactEmail: row.contact_email ?? '',
      contactPhone: row.contact_phone ?? '',
      preferredContact: row.preferred_contact,
      status: row.status,
      ...Object.fromEntries(
        SECTIONS.map((s) => [`visibility${s.charAt(0).toUpperCase()}${s.slice(1)}`, row[`visibility_${s}`]]),
      ),
    };
    return {
      template: `${V}/profile-edit.njk`,
      data: {
        pageTitle: 'Edit your profile',
        backHref: '/profile',
        values: v,
        professionItems: items(professionItems('Choose your profession'), v.profession),
        specialtyItems: items(
          [
            { value: '', text: 'No specialty chosen' },
            ...specialties.map((s) => ({
              value: String(s.id),
              text: `${s.name} (${professionLabel(s.profession)})`,
            })),
          ],
          v.specialtyId,
        ),
        regionItems: items(await regionItems('The region of my employer'), v.regionCode),
        contactItems: items(
          CONTACT_METHODS.map((c) => ({
            value: c,
            text: { email: 'Email', phone: 'Telephone', none: 'Do not contact me' }[c],
          })),
          v.preferredContact,
        ),
        statusItems: STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], checked: v.status === s })),
        sections: SECTIONS.map((s) => {
          const name = `visibility${s.charAt(0).toUpperCase()}${s.slice(1)}`;
          return {
            name,
            label: SECTION_LABELS[s],
            items: VISIBILITIES.map((x) => ({
              value: x,
              text: VISIBILITY_LABELS[x],
              checked: v[name] === x,
            })),
          };
        }),
      },
    };
  };

  app.get('/profile/edit', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
    const { template, data } = await editPage(request);
    return reply.page(template, data);
  });

  app.post('/profile/edit', { config: { access: MEMBER_ROLES } }, async (request, reply) =>
    withFormErrors(
      reply,
      () => editPage(request, request.body as Record<string, unknown>),
      async () => {
        const input = parseForm(profileUpdateSchema, request.body);
        const changed = await members.updateOwnProfile(request.actor!, input);
        reply.flash(changed.length ? 'Your profile has been updated' : 'Nothing was changed');
        return reply.redirect('/profile', 303);
      },
    ),
  );

  app.post('/profile/projects', { config: { access: MEMBER_ROLES } }, async (request, reply) =>
    withFormErrors(
      reply,
      async () => {
        const { profile, employment } = await members.getOwnProfile(request.actor!);
        return {
          template: `${V}/profile.njk`,
          data: {
            pageTitle: 'Your profile',
            profile,
            employment,
            own: true,
            projectValues: request.body,
            statusLabels: STATUS_LABELS,
            stageLabels: STAGE_LABELS,
            sectionRows: [],
            stageItems: PROJECT_STAGES.map((s) => ({ value: s, text: STAGE_LABELS[s] })),
          },
        };
      },
      async () => {
        const input = parseForm(projectSchema, request.body);
        await members.addProject(request.actor!, input);
        reply.flash('Project added');
        return reply.redirect('/profile#projects', 303);
      },
    ),
  );

  app.post(
    '/profile/projects/:id/remove',
    { config: { access: MEMBER_ROLES, scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      await members.removeProject(request.actor!, id);
      reply.flash('Project removed');
      return reply.redirect('/profile#projects', 303);
    },
  );

  app.get('/profile/data.json', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
    const data = downloadJson(await dataRights.downloadOwnData(request.actor!));
    reply.header('content-disposition', 'attachment; filename="my-clinical-leaders-network-data.json"');
    reply.header('cache-control', 'no-store');
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  });

  app.get('/profile/data', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
    const { generatedAt, parts } = await dataRights.downloadOwnData(request.actor!);
    reply.header('cache-control', 'no-store');
    return reply.page(`${V}/data.njk`, {
      pageTitle: 'The data we hold about you',
      backHref: '/profile',
      generatedAt,
      parts: downloadPage(parts),
      contents: parts.map((p, i) => ({ href: `#part-${i + 1}`, text: p.title })),
    });
  });

  app.get('/profile/erasure', { config: { access: MEMBER_ROLES } }, async (request, reply) =>
    reply.page(`${V}/erasure-request.njk`, {
      pageTitle: 'Ask for your personal data to be erased',
      backHref: '/profile',
      pending: Boolean(await members.pendingErasureOf(request.actor!.userId)),
      values: {},
    }),
  );

  app.post('/profile/erasure', { config: { access: MEMBER_ROLES } }, async (request, reply) =>
    withFormErrors(
      reply,
      async () => ({
        template: `${V}/erasure-request.njk`,
        data: {
          pageTitle: 'Ask for your personal data to be erased',
          backHref: '/profile',
          values: request.body,
        },
      }),
      async () => {
        const input = parseForm(erasureRequestSchema, request.body);
        await members.requestErasure(request.actor!, input.reason ?? null);
        reply.flash('Your request has been sent to the national team');
        return reply.redirect('/profile', 303);
      },
    ),
  );

  // Uploads: multipart only on these routes, with the file size capped while it streams in.
  // A plain form (not multipart), so it sits outside the upload routes' scope.
  app.post('/profile/photo/remove', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
    const { profile } = await members.getOwnProfile(request.actor!);
    if (!profile?.photoUrl) {
      reply.flash('You have no photo to remove');
      return reply.redirect('/profile/photo', 303);
    }
    await members.removePhoto(request.actor!);
    reply.flash('Your photo has been removed');
    return reply.redirect('/profile', 303);
  });

  await app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 10, parts: 12 },
      throwFileSizeLimit: true,
    });

    const photoPage = (errors?: { field: string; message: string }[]) => ({
      pageTitle: 'Your photo',
      backHref: '/profile',
      errors,
      maxMb: PHOTO_MAX_BYTES / 1024 / 1024,
    });
    const tooLarge = (err: { code?: string; statusCode?: number }) =>
      err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_PARTS_LIMIT' || err.statusCode === 413;
    // A body the multipart parser cannot read (no or the wrong boundary, cut short, a broken part
    // header): busboy throws a plain Error without a status, which would otherwise be a 500.
    const unreadable = (err: { statusCode?: number; message?: string }) =>
      err.statusCode === undefined &&
      /^(Multipart: |Unexpected end of (form|multipart data)|Malformed part header)/.test(err.message ?? '');

    scoped.get('/profile/photo', { config: { access: MEMBER_ROLES } }, async (request, reply) => {
      const { profile } = await members.getOwnProfile(request.actor!);
      return reply.page(`${V}/photo.njk`, { ...photoPage(), profile });
    });

    scoped.post(
      '/profile/photo',
      {
        config: { access: MEMBER_ROLES },
        errorHandler: async (err, request, reply) => {
          const large = tooLarge(err as { code?: string });
          if (!large && !unreadable(err)) throw err;
          reply.status(large ? 413 : 400);
          return reply.page(`${V}/photo.njk`, {
            ...photoPage([
              {
                field: 'photo',
                message: large
                  ? 'The photo must be smaller than 2 MB'
                  : 'The upload could not be read: select the photo again',
              },
            ]),
            profile: (await members.getOwnProfile(request.actor!)).profile,
          });
        },
      },
      async (request, reply) =>
        withFormErrors(
          reply,
          async () => ({
            template: `${V}/photo.njk`,
            data: { ...photoPage(), profile: (await members.getOwnProfile(request.actor!)).profile },
          }),
          async () => {
            const file = (request.body as Record<string, unknown> | undefined)?.photo;
            if (!Buffer.isBuffer(file))
              throw new ValidationError([{ field: 'photo', message: 'Select a photo' }]);
            await members.uploadPhoto(request.actor!, file);
            reply.flash('Your photo has been updated');
            return reply.redirect('/profile', 303);
          },
        ),
    );

    scoped.get('/members/import', { config: { access: ['regional-lead'] } }, async (_request, reply) =>
      reply.page(`${V}/import.njk`, { pageTitle: 'Import members from a CSV file', columns: IMPORT_COLUMNS }),
    );

    scoped.post(
      '/members/import',
      {
        config: { access: ['regional-lead'] },
        errorHandler: async (err, _request, reply) => {
          const large = tooLarge(err as { code?: string });
          if (!large && !unreadable(err)) throw err;
          reply.status(large ? 413 : 400);
          return reply.page(`${V}/import.njk`, {
            pageTitle: 'Import members from a CSV file',
            columns: IMPORT_COLUMNS,
            errors: [
              {
                field: 'file',
                message: large
                  ? 'The file must be smaller than 5 MB'
                  : 'The upload could not be read: select the CSV file again',
              },
            ],
          });
        },
      },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const dryRun = body.dryRun === 'yes';
        const file = body.file;
        const page = (data: Record<string, unknown>) =>
          reply.page(`${V}/import.njk`, {
            pageTitle: 'Import members from a CSV file',
            columns: IMPORT_COLUMNS,
            ...data,
          });
        if (!Buffer.isBuffer(file) || file.length === 0) {
          reply.status(400);
          return page({ errors: [{ field: 'file', message: 'Select a CSV file' }] });
        }
        const report = await opts.csv.importMembers(file, {
          actor: request.actor!,
          dryRun,
          baseUrl: opts.baseUrl,
        });
        if (report.problem || report.badRows.length) {
          reply.status(400);
          return page({
            report,
            errors: [
              {
                field: 'file',
                message:
                  report.problem ??
                  `${report.badRows.length} row${report.badRows.length === 1 ? ' has' : 's have'} problems. Nothing was imported.`,
              },
            ],
          });
        }
        return page({ report, dryRun });
      },
    );
  });

  // Other members

  app.get(
    '/members/:id',
    { config: { access: DIRECTORY_ROLES, scope: 'directory' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const profile = await members.viewProfile(request.actor!, id);
      const canVerify =
        profile.professional?.registrationNumber &&
        request.actor!.userId !== id &&
        (isNational(request.actor!) ||
          request.actor!.roles.some(
            (g) => g.role === 'regional-lead' && g.regionCode === profile.region.code,
          ));
      return reply.page(`${V}/profile.njk`, {
        pageTitle: profile.name,
        backHref: '/directory',
        profile,
        own: request.actor!.userId === id,
        canVerify,
        statusLabels: STATUS_LABELS,
        stageLabels: STAGE_LABELS,
      });
    },
  );

  app.get(
    '/members/:id/photo',
    { config: { access: DIRECTORY_ROLES, scope: 'directory' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const photo = await members.getPhoto(request.actor!, id);
      reply.header('cache-control', 'private, max-age=300');
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(photo.content_type).send(photo.data);
    },
  );

  app.post(
    '/members/:id/verify',
    { config: { access: ['regional-lead'], scope: 'region' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const verified = (request.body as Record<string, unknown> | undefined)?.verified !== 'no';
      await members.setRegistrationVerified(request.actor!, id, verified);
      reply.flash(verified ? 'Registration number marked as verified' : 'Verification removed');
      return reply.redirect(`/members/${id}`, 303);
    },
  );

  // The directory

  const directoryView = async (request: FastifyRequest, base: string, fixed: Record<string, string> = {}) => {
    const parsed = checkQuery(directoryQuery, { ...(request.query as object), ...fixed });
    const q = parsed.ok ? parsed.data : directoryQuery.parse(fixed);
    const errors = parsed.ok ? [] : parsed.errors;
    const { rows, total, capped } = await members.searchDirectory(request.actor!, q);
    const specialties = await members.listSpecialties();
    return {
      errors,
      query: parsed.ok ? q : (request.query as Record<string, unknown>),
      total,
      rows: rows.map((r) => ({
        ...r,
        professionLabel: professionLabel(r.profession),
        statusLabel: STATUS_LABELS[r.status],
      })),
      regionItems: items(await regionItems('Any region'), q.region),
      professionItems: items(professionItems('Any profession'), q.profession),
      specialtyItems: items(
        [
          { value: '', text: 'Any specialty' },
          ...specialties.map((s) => ({
            value: String(s.id),
            text: `${s.name} (${professionLabel(s.profession)})`,
          })),
        ],
        q.specialty,
      ),
      statusItems: items(
        [{ value: '', text: 'Any status' }, ...STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s] }))],
        q.status,
      ),
      sortItems: items(
        [
          { value: 'relevance', text: 'Best match' },
          { value: 'name', text: 'Name' },
          { value: 'joined', text: 'Newest members' },
        ],
        q.sort,
      ),
      capped,
      exportHref: `/directory/export.csv${queryString({ ...q, ...fixed })}`,
      pagination: paginationFor(
        q.page,
        DIRECTORY_PAGE_SIZE,
        total,
        (p) =>
          `${base}${queryString(Object.fromEntries(Object.entries(q).filter(([k]) => !(k in fixed))), p)}`,
      ),
    };
  };

  app.get('/directory', { config: { access: DIRECTORY_ROLES } }, async (request, reply) => {
    const view = await directoryView(request, '/directory');
    if (view.errors.length) reply.status(400);
    return reply.page(`${V}/directory.njk`, {
      pageTitle: 'Member directory',
      gridClass: 'nhsuk-grid-column-full',
      ...view,
    });
  });

  app.get('/directory/export.csv', { config: { access: DIRECTORY_ROLES } }, async (request, reply) => {
    const csv = await opts.csv.exportDirectory(request.actor!, parseQuery(directoryQuery, request.query));
    reply.header('content-disposition', 'attachment; filename="members.csv"');
    reply.header('cache-control', 'no-store');
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  app.get(
    '/regions/:code/members',
    { config: { access: DIRECTORY_ROLES, scope: 'directory' } },
    async (request, reply) => {
      const { code } = parsePathParams(z.object({ code: z.string().max(5) }), request.params);
      const region = await members.getRegion(code);
      const view = await directoryView(request, `/regions/${region.code}/members`, { region: region.code });
      return reply.page(`${V}/region.njk`, {
        pageTitle: `Members in ${region.name}`,
        gridClass: 'nhsuk-grid-column-full',
        region,
        ...view,
      });
    },
  );

  // Organisations

  app.get('/organisations', { config: { access: 'signed-in' } }, async (request, reply) => {
    const parsed = organisationQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data : { page: 1 };
    const { rows, total } = await members.searchOrganisations({ ...q, pageSize: ORG_PAGE_SIZE });
    return reply.page(`${V}/organisations.njk`, {
      pageTitle: 'NHS organisations',
      gridClass: 'nhsuk-grid-column-full',
      rows,
      query: q,
      kindItems: items(
        [
          { value: '', text: 'Any kind' },
          { value: 'trust', text: 'Trust' },
          { value: 'gp-practice', text: 'GP practice' },
          { value: 'pharmacy', text: 'Community pharmacy' },
          { value: 'dental-practice', text: 'Dental practice' },
          { value: 'icb', text: 'Integrated care board' },
          { value: 'nhse_region', text: 'NHS England region' },
          { value: 'sha', text: 'Strategic health authority (2006 to 2013)' },
        ],
        'kind' in q ? q.kind : '',
      ),
      pagination: paginationFor(q.page, ORG_PAGE_SIZE, total, (p) => `/organisations${queryString(q, p)}`),
    });
  });

  app.get(
    '/organisations/:ods',
    { config: { access: 'signed-in', scope: 'network' } },
    async (request, reply) => {
      const { ods } = parsePathParams(z.object({ ods: z.string().max(10) }), request.params);
      const org = await members.getOrganisation(ods);
      const canSearch =
        isNational(request.actor!) ||
        DIRECTORY_ROLES.some((r) => request.actor!.roles.some((g) => g.role === r));
      const view = canSearch
        ? await directoryView(request, `/organisations/${org.org.ods_code}`, {
            organisation: org.org.ods_code!,
          })
        : null;
      return reply.page(`${V}/organisation.njk`, {
        pageTitle: org.org.name,
        gridClass: 'nhsuk-grid-column-full',
        backHref: '/organisations',
        ...org,
        view,
        canMerge: isNational(request.actor!) && !org.org.successor_id,
      });
    },
  );

  const mergerPage = async (ods: string, values: Record<string, unknown> = {}) => {
    const { org } = await members.getOrganisation(ods);
    return {
      template: `${V}/merger.njk`,
      data: {
        pageTitle: `Record a merger of ${org.name}`,
        backHref: `/organisations/${org.ods_code}`,
        org,
        values,
      },
    };
  };

  app.get(
    '/organisations/:ods/merger',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const { ods } = parsePathParams(z.object({ ods: z.string().max(10) }), request.params);
      const { template, data } = await mergerPage(ods);
      return reply.page(template, data);
    },
  );

  app.post(
    '/organisations/:ods/merger',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const { ods } = parsePathParams(z.object({ ods: z.string().max(10) }), request.params);
      return withFormErrors(
        reply,
        () => mergerPage(ods, request.body as Record<string, unknown>),
        async () => {
          const input = parseForm(mergerSchema, request.body);
          await members.recordMerger(request.actor!, ods.toUpperCase(), input.successorOds, input.validTo);
          reply.flash('The merger has been recorded');
          return reply.redirect(`/organisations/${ods.toUpperCase()}`, 303);
        },
      );
    },
  );

  // National team: specialties and erasure requests

  app.navItems.push({ href: '/admin/erasure-requests', text: 'Erasure requests', roles: ['national'] });

  const specialtiesPage = async (values: Record<string, unknown> = {}) => {
    const specialties = await members.listSpecialties();
    return {
      template: `${V}/specialties.njk`,
      data: {
        pageTitle: 'Specialties',
        gridClass: 'nhsuk-grid-column-full',
        groups: PROFESSIONS.map((p) => ({
          label: p.label,
          names: specialties.filter((s) => s.profession === p.key).map((s) => s.name),
        })),
        professionItems: items(professionItems('Choose a profession'), values.profession),
        values,
      },
    };
  };

  app.get('/admin/specialties', { config: { access: ['national'] } }, async (_request, reply) => {
    const { template, data } = await specialtiesPage();
    return reply.page(template, data);
  });

  app.post('/admin/specialties', { config: { access: ['national'] } }, async (request, reply) =>
    withFormErrors(
      reply,
      () => specialtiesPage(request.body as Record<string, unknown>),
      async () => {
        const input = parseForm(specialtySchema, request.body);
        await members.addSpecialty(request.actor!, input.profession, input.name);
        reply.flash(`${input.name} added`);
        return reply.redirect('/admin/specialties', 303);
      },
    ),
  );

  app.get('/admin/erasure-requests', { config: { access: ['national'] } }, async (request, reply) => {
    const page = z
      .object({ page: z.coerce.number().int().min(1).max(10_000).default(1) })
      .catch({ page: 1 })
      .parse(request.query).page;
    const { rows, total } = await members.listErasureRequests(request.actor!, {
      page,
      pageSize: ORG_PAGE_SIZE,
    });
    return reply.page(`${V}/erasure-requests.njk`, {
      pageTitle: 'Erasure requests',
      gridClass: 'nhsuk-grid-column-full',
      rows,
      pagination: paginationFor(page, ORG_PAGE_SIZE, total, (p) => `/admin/erasure-requests?page=${p}`),
    });
  });

  const confirmErasurePage = async (
    request: FastifyRequest,
    id: number,
    values: Record<string, unknown> = {},
  ) => ({
    template: `${V}/erasure-confirm.njk`,
    data: {
      pageTitle: 'Erase a member’s personal data',
      backHref: '/admin/erasure-requests',
      preview: await dataRights.previewErasure(request.actor!, id),
      values,
    },
  });

  app.get(
    '/admin/erasure-requests/:id/confirm',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const { template, data } = await confirmErasurePage(request, id);
      return reply.page(template, data);
    },
  );

  app.post(
    '/admin/erasure-requests/:id',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const decide = async () => {
        const input = parseForm(erasureDecisionSchema, request.body);
        await dataRights.decideErasure(request.actor!, id, input.decision, input.note || null);
        reply.flash(
          input.decision === 'approve'
            ? 'The member’s personal data has been erased'
            : 'The request has been rejected',
        );
        return reply.redirect('/admin/erasure-requests', 303);
      };
      // Approving comes from the confirm page, which shows again with the note's error.
      if (body.decision !== 'approve') return decide();
      return withFormErrors(reply, () => confirmErasurePage(request, id, body), decide);
    },
  );

  void NotFoundError;
  void isStaffFor;
}
