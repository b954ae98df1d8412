import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { parseForm, withFormErrors } from '../../platform/forms.ts';
import type { AnonymousActor } from '../../platform/permissions.ts';
import {
  checkRegistrationNumber,
  PROFESSIONS,
  registerForProfession,
  type Profession,
} from '../../platform/registration.ts';
import {
  applicationSubmission,
  endorsementInput,
  LIMITS,
  type StepKey,
  stepSchemas,
} from './recruitment.schemas.ts';
import type { RecruitmentService } from './recruitment.service.ts';

const V = 'modules/recruitment/views';
const DRAFT_COOKIE = 'cln_apply';

/** The question pages in order, each with the title that names the page. */
export const STEPS: { key: StepKey; title: string }[] = [
  { key: 'personal-details', title: 'Your details' },
  { key: 'profession', title: 'What is your profession?' },
  { key: 'registration-number', title: 'What is your professional registration number?' },
  { key: 'employer', title: 'Who is your employer?' },
  { key: 'region', title: 'Which region will you join?' },
  { key: 'current-role', title: 'Your current role' },
  { key: 'leadership', title: 'Your leadership experience' },
  { key: 'motivation', title: 'Why do you want to join the network?' },
  { key: 'sponsor', title: 'Your sponsor at your employer' },
  { key: 'consent', title: 'How we use your information' },
];

type Draft = Record<string, unknown>;

export function anonymousActor(request: FastifyRequest, label: string): AnonymousActor {
  return { userId: null, label, ip: request.ip, requestId: request.id };
}

/** The answers a step needs before it makes sense, so a deep link cannot skip ahead. */
function firstMissingStep(draft: Draft): StepKey | null {
  for (const s of STEPS) {
    const parsed = stepSchemas[s.key].safeParse(draft);
    if (!parsed.success) return s.key;
  }
  return null;
}

function draftToSubmission(draft: Draft) {
  return {
    givenName: draft.givenName,
    familyName: draft.familyName,
    email: draft.email,
    phone: draft.phone,
    profession: draft.profession,
    registrationNumber: draft.registrationNumber,
    employerOds: draft.employerOds,
    regionCode: draft.regionCode,
    jobTitle: draft.jobTitle,
    roleSummary: draft.roleSummary,
    leadershipExperience: draft.leadershipExperience,
    motivation: draft.motivation,
    sponsorName: draft.sponsorName,
    sponsorEmail: draft.sponsorEmail,
    consent: draft.consent === 'yes',
  };
}

const STEP_OF_FIELD: Record<string, StepKey> = {
  givenName: 'personal-details',
  familyName: 'personal-details',
  email: 'personal-details',
  phone: 'personal-details',
  profession: 'profession',
  registrationNumber: 'registration-number',
  employerOds: 'employer',
  regionCode: 'region',
  jobTitle: 'current-role',
  roleSummary: 'current-role',
  leadershipExperience: 'leadership',
  motivation: 'motivation',
  sponsorName: 'sponsor',
  sponsorEmail: 'sponsor',
  consent: 'consent',
};

/** The public application journey, the applicant's secure status link and the sponsor's endorsement link. */
export async function applyPages(
  app: FastifyInstance,
  opts: { recruitment: RecruitmentService; secureCookies: boolean },
) {
  const { recruitment } = opts;
  const publicRoute = { config: { access: 'public' as const } };
  const stepRoute = { config: { access: 'public' as const, scope: 'none' as const } };
  const linkRoute = { config: { access: 'public' as const, scope: 'token' as const } };

  function draftToken(request: FastifyRequest): string | undefined {
    const raw = request.cookies[DRAFT_COOKIE];
    if (!raw) return undefined;
    const u = request.unsignCookie(raw);
    return u.valid && u.value ? u.value : undefined;
  }

  function setDraftCookie(reply: FastifyReply, token: string) {
    reply.setCookie(DRAFT_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/apply',
      secure: opts.secureCookies,
      maxAge: 7 * 86_400,
    });
  }

  async function stepView(step: StepKey, draft: Draft, extra: Record<string, unknown> = {}) {
    const index = STEPS.findIndex((s) => s.key === step);
    const data: Record<string, unknown> = {
      pageTitle: STEPS[index]!.title,
      step,
      values: draft,
      limits: LIMITS,
      backHref: index === 0 ? '/apply' : `/apply/${STEPS[index - 1]!.key}`,
      ...extra,
    };
    if (step === 'profession') {
      data.professionItems = PROFESSIONS.map((p) => ({
        value: p.key,
        text: p.label,
        hint: { text: `${p.register} register` },
        checked: draft.profession === p.key,
      }));
    }
    if (step === 'registration-number' && typeof draft.profession === 'string') {
      const register = registerForProfession(draft.profession as Profession);
      data.register = register;
      data.professionLabel = PROFESSIONS.find((p) => p.key === draft.profession)?.label;
    }
    if (step === 'employer') {
      const q = typeof extra.q === 'string' ? extra.q : '';
      data.results = q ? await recruitment.searchEmployers(q) : [];
      data.current =
        typeof draft.employerOds === 'string' ? await recruitment.findEmployer(draft.employerOds) : null;
    }
    if (step === 'region') {
      const regions = await recruitment.listRegionsTakingApplications();
      const employer =
        typeof draft.employerOds === 'string' ? await recruitment.findEmployer(draft.employerOds) : null;
      const suggested = regions.find((r) => r.code === employer?.regionCode);
      data.employer = employer;
      data.suggested = suggested;
      data.regionItems = regions.map((r) => ({
        value: r.code,
        text: r.name,
        checked: (draft.regionCode ?? suggested?.code) === r.code,
      }));
    }
    return data;
  }

  app.get('/apply', publicRoute, async (_request, reply) =>
    reply.page(`${V}/apply-start.njk`, { pageTitle: 'Apply to join the Clinical Leaders Network' }),
  );

  app.get('/apply/:step', stepRoute, async (request, reply) => {
    const { step } = request.params as { step: string };
    if (!STEPS.some((s) => s.key === step)) throw new NotFoundError();
    const draft = await recruitment.loadDraft(draftToken(request));
    const stepIndex = STEPS.findIndex((s) => s.key === step);
    const missing = firstMissingStep(draft);
    if (missing && STEPS.findIndex((s) => s.key === missing) < stepIndex)
      return reply.redirect(`/apply/${missing}`, 303);
    const query = request.query as { q?: unknown; change?: unknown };
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '';
    const errors: FieldError[] = [];
    if (step === 'employer' && typeof query.q === 'string' && q.length < 2) {
      errors.push({ field: 'q', message: 'Enter at least 2 letters of your employer’s name or town' });
    }
    if (errors.length) reply.status(400);
    return reply.page(
      `${V}/apply-question.njk`,
      await stepView(step as StepKey, draft, { q, change: query.change === '1', errors }),
    );
  });

  app.post('/apply/:step', stepRoute, async (request, reply) => {
    const { step } = request.params as { step: string };
    if (!STEPS.some((s) => s.key === step)) throw new NotFoundError();
    const key = step as StepKey;
    const token = draftToken(request);
    const draft = await recruitment.loadDraft(token);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const change = body.change === '1';
    const showAgain = async (errors: FieldError[]) =>
      reply.page(
        `${V}/apply-question.njk`,
        await stepView(key, { ...draft, ...body }, { errors, change, q: '' }),
      );
    return withFormErrors(reply, showAgain, async () => {
      const values = parseForm(
        stepSchemas[key],
        Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'change')),
      );
      const next: Draft = { ...draft, ...values };
      if (key === 'registration-number' || (key === 'profession' && draft.registrationNumber)) {
        const problem = checkRegistrationNumber(
          registerForProfession(next.profession as Profession),
          String(next.registrationNumber ?? ''),
        );
        if (problem && key === 'registration-number')
          throw new ValidationError([{ field: 'registrationNumber', message: problem }]);
      }
      if (key === 'employer') {
        const employer = await recruitment.findEmployer(
          String((values as Record<string, unknown>).employerOds),
        );
        if (!employer) {
          throw new ValidationError([
            { field: 'employerOds', message: 'Select your employer from the list of open NHS trusts' },
          ]);
        }
        // The region follows the employer until the applicant chooses one themselves.
        if (!draft.regionChosen) next.regionCode = employer.regionCode ?? undefined;
      }
      if (key === 'region') next.regionChosen = true;
      const saved = await recruitment.saveDraft(token, next);
      if (saved !== token) setDraftCookie(reply, saved);
      const index = STEPS.findIndex((s) => s.key === key);
      // A changed profession may need its number checked again before going back to the summary.
      if (key === 'profession' && change) return reply.redirect('/apply/registration-number?change=1', 303);
      const target =
        change || index === STEPS.length - 1 ? '/apply/check-answers' : `/apply/${STEPS[index + 1]!.key}`;
      return reply.redirect(target, 303);
    });
  });

  async function checkAnswersPage(request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = []) {
    const draft = await recruitment.loadDraft(draftToken(request));
    const missing = firstMissingStep(draft);
    if (missing) return reply.redirect(`/apply/${missing}`, 303);
    const employer = await recruitment.findEmployer(String(draft.employerOds));
    const regions = await recruitment.listRecruitingRegions();
    return reply.page(`${V}/apply-check.njk`, {
      pageTitle: 'Check your answers before sending your application',
      backHref: '/apply/consent',
      draft,
      employer,
      region: regions.find((r) => r.code === draft.regionCode),
      professionLabel: PROFESSIONS.find((p) => p.key === draft.profession)?.label,
      register: registerForProfession(draft.profession as Profession),
      errors: errors.map((e) => ({ ...e, field: e.field === 'form' ? 'submit' : e.field })),
      errorLinks: Object.fromEntries(
        errors.map((e) => [e.field, `/apply/${STEP_OF_FIELD[e.field] ?? 'personal-details'}?change=1`]),
      ),
    });
  }

  app.get('/apply/check-answers', publicRoute, checkAnswersPage);

  app.post('/apply/check-answers', publicRoute, async (request, reply) => {
    const token = draftToken(request);
    const draft = await recruitment.loadDraft(token);
    if (!token || firstMissingStep(draft)) return reply.redirect('/apply', 303);
    return withFormErrors(
      reply,
      (errors) => checkAnswersPage(request, reply, errors),
      async () => {
        const input = parseForm(applicationSubmission, draftToSubmission(draft));
        const created = await recruitment.submitApplication(
          input,
          anonymousActor(request, `${input.givenName} ${input.familyName} <${input.email}> (applicant)`),
        );
        await recruitment.discardDraft(token);
        reply.clearCookie(DRAFT_COOKIE, { path: '/apply' });
        return reply.redirect(`/apply/confirmation?reference=${encodeURIComponent(created.reference)}`, 303);
      },
      // A broken rule is shown against the email address, whose change link leads to the applicant's details.
      { messageField: 'email' },
    );
  });

  app.get('/apply/confirmation', publicRoute, async (request, reply) => {
    const ref = String((request.query as { reference?: unknown }).reference ?? '');
    if (!/^CLN-[A-Z0-9]{8}$/.test(ref)) return reply.redirect('/apply', 303);
    return reply.page(`${V}/apply-confirmation.njk`, { pageTitle: 'Application submitted', reference: ref });
  });

  // ------------------------------------------------------------------ the applicant's secure link

  const tokenOf = (request: FastifyRequest) => {
    const t = (request.params as { token?: string }).token ?? '';
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(t))
      throw new NotFoundError(
        'This link is not valid. Use the link in the most recent email about your application.',
      );
    return t;
  };

  app.get('/application/:token', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    const application = await recruitment.findByStatusToken(token);
    return reply.page(`${V}/status.njk`, { pageTitle: 'Your application', application, token });
  });

  app.get('/application/:token/withdraw', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    const application = await recruitment.findByStatusToken(token);
    return reply.page(`${V}/status-withdraw.njk`, {
      pageTitle: application.status === 'offered' ? 'Turn down your place' : 'Withdraw your application',
      application,
      token,
      backHref: `/application/${token}`,
    });
  });

  app.post('/application/:token/withdraw', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    const application = await recruitment.findByStatusToken(token);
    await recruitment.withdrawByApplicant(
      token,
      anonymousActor(request, `${application.name} <${application.email}> (applicant)`),
    );
    reply.flash('Your application has been withdrawn');
    return reply.redirect(`/application/${token}`, 303);
  });

  app.post('/application/:token/accept', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    const application = await recruitment.findByStatusToken(token);
    await recruitment.acceptOffer(
      token,
      anonymousActor(request, `${application.name} <${application.email}> (applicant)`),
    );
    reply.flash('You have accepted your place. We have emailed you a link to set your password.');
    return reply.redirect(`/application/${token}`, 303);
  });

  // ------------------------------------------------------------------ sponsor endorsement

  const endorsePage = (
    reply: FastifyReply,
    token: string,
    endorsement: { applicantName: string },
    extra: { values: unknown; errors?: FieldError[] },
  ) =>
    reply.page(`${V}/endorse.njk`, {
      pageTitle: `Endorse ${endorsement.applicantName}'s application`,
      endorsement,
      token,
      limits: LIMITS,
      ...extra,
    });

  app.get('/endorse/:token', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    return endorsePage(reply, token, await recruitment.findEndorsement(token), { values: {} });
  });

  app.post('/endorse/:token', linkRoute, async (request, reply) => {
    const token = tokenOf(request);
    const endorsement = await recruitment.findEndorsement(token);
    return withFormErrors(
      reply,
      (errors) => endorsePage(reply, token, endorsement, { values: request.body, errors }),
      async () => {
        const input = parseForm(endorsementInput, request.body);
        await recruitment.respondToEndorsement(token, input, anonymousActor(request, 'sponsor'));
        return reply.page(`${V}/endorse-done.njk`, {
          pageTitle: 'Thank you for your response',
          endorsement,
          endorsed: input.endorse === 'yes',
        });
      },
    );
  });
}
