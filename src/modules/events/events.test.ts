import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  refusedForm,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { addMember, location, signedIn, trustsOf } from '../../../test/journeys/support.ts';

let ctx: TestContext;
let trusts: number[];
beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  trusts = await trustsOf(ctx, 'Q36');
});
afterAll(async () => {
  await ctx?.close();
});

const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function eventForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    scope: 'regional',
    regionCode: 'Q36',
    format: 'in-person',
    title: 'East launch',
    summary: 'The first meeting of the region',
    venueName: 'Civic Hall',
    venueAddress: '1 High Street',
    accessibilityNotes: 'Step-free entrance',
    startDate: day(40),
    startTime: '10:00',
    endDate: day(40),
    endTime: '16:00',
    capacity: '2',
    reservedPlaces: '3',
    audience: 'region',
    ...over,
  };
}

let n = 0;
async function member(regionCode = 'Q36') {
  n++;
  const user = await addMember(ctx, {
    regionCode,
    name: `Event Member ${n}`,
    profession: 'nurse',
    organisationId: trusts[n % trusts.length]!,
    jobTitle: 'Nurse',
  });
  const token = (
    await ctx.app.services.accounts.createApiToken(
      {
        userId: user.id,
        name: user.name,
        email: user.email,
        roles: [{ role: 'member', regionCode }],
        ip: null,
        requestId: null,
      },
      'events test',
    )
  ).token;
  return { user, token };
}

function call(token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return ctx.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function countEvents() {
  const r = await ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function leadAgent(regionCode = 'Q36') {
  const lead = await createUser(ctx, [{ role: 'regional-lead', regionCode }]);
  return signedIn(ctx, lead.email);
}

async function createPublished(agent: Agent, over: Record<string, string> = {}) {
  await agent.get('/events/new');
  const manage = location(await agent.post('/events', eventForm(over)));
  const id = Number(/\/events\/(\d+)\/manage/.exec(manage)![1]);
  await agent.get(manage);
  location(await agent.post(`/events/${id}/status`, { to: 'published', reason: '' }));
  return id;
}

describe('events', () => {
  it('refuses bad input with the error summary and saves nothing', async () => {
    const lead = await leadAgent();
    await lead.get('/events/new');
    const before = await countEvents();
    const endsFirst = await lead.post('/events', eventForm({ endTime: '09:00' }));
    expect(refusedForm(endsFirst, 400, 'Create an event').map((e) => e.href)).toEqual(['#endDate']);
    const long = await lead.post('/events', eventForm({ title: 'x'.repeat(201), capacity: '-1' }));
    expect(refusedForm(long, 400, 'Create an event').map((e) => e.text)).toEqual([
      'The title must be 200 characters or fewer',
      'The number of places for members must be 1 or more',
    ]);
    // 01:30 on the last Sunday of March does not exist in the UK.
    const skipped = await lead.post(
      '/events',
      eventForm({ startDate: '2030-03-31', startTime: '01:30', endDate: '2030-03-31' }),
    );
    expect(visibleText(refusedForm(skipped, 400, 'Create an event')[0]!.text)).toContain(
      'does not exist in the UK',
    );
    // Another region's lead cannot hold an event in this region.
    const other = await leadAgent('Q37');
    await other.get('/events/new');
    const elsewhere = await other.post('/events', eventForm());
    expect(refusedForm(elsewhere, 400, 'Create an event')[0]!.text).toBe(
      'You can hold events only in the regions you lead',
    );
    expect(await countEvents()).toBe(before);
  });

  it('keeps UK times right across both clock changes', async () => {
    const lead = await leadAgent();
    const spring = await createPublished(lead, {
      startDate: '2030-03-31',
      startTime: '10:00',
      endDate: '2030-03-31',
      endTime: '16:00',
    });
    // Overnight across the October change: 23:00 to 03:00 is five hours, not four.
    const autumn = await createPublished(lead, {
      startDate: '2030-10-26',
      startTime: '23:00',
      endDate: '2030-10-27',
      endTime: '03:00',
    });
    const rows = await ctx.db
      .selectFrom('events')
      .select(['id', 'starts_at', 'ends_at'])
      .where('id', 'in', [spring, autumn])
      .orderBy('id')
      .execute();
    expect(rows[0]!.starts_at.toISOString()).toBe('2030-03-31T09:00:00.000Z');
    expect(rows[1]!.starts_at.toISOString()).toBe('2030-10-26T22:00:00.000Z');
    expect(rows[1]!.ends_at.getTime() - rows[1]!.starts_at.getTime()).toBe(5 * 3_600_000);
    const page = visibleText((await lead.get(`/events/${spring}`)).body);
    expect(page).toContain('Sunday 31 March 2030, 10:00 to 16:00');
    // The edit form shows the times as they were entered.
    const edit = (await lead.get(`/events/${autumn}/edit`)).body;
    expect(edit).toContain('value="23:00"');
    expect(edit).toContain('value="03:00"');
  });

  it('registers in order, waitlists when full, offers a freed place fairly and lets it run out', async () => {
    const lead = await leadAgent();
    const id = await createPublished(lead, { capacity: '2' });
    const [a, b, c, d] = [await member(), await member(), await member(), await member()];
    const outsider = await member('Q37');
    expect((await call(a.token, 'POST', `/api/v1/events/${id}/registration`, {})).json()).toEqual({
      status: 'registered',
    });
    const twice = await call(a.token, 'POST', `/api/v1/events/${id}/registration`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('You have already registered');
    expect((await call(b.token, 'POST', `/api/v1/events/${id}/registration`, {})).json().status).toBe(
      'registered',
    );
    expect((await call(c.token, 'POST', `/api/v1/events/${id}/registration`, {})).json().status).toBe(
      'waitlisted',
    );
    expect((await call(d.token, 'POST', `/api/v1/events/${id}/registration`, {})).json().status).toBe(
      'waitlisted',
    );
    // Outside the audience: the event does not exist for them.
    expect((await call(outsider.token, 'POST', `/api/v1/events/${id}/registration`, {})).statusCode).toBe(
      404,
    );
    expect((await call(outsider.token, 'GET', `/api/v1/events/${id}`)).statusCode).toBe(404);
    const shown = (await call(c.token, 'GET', `/api/v1/events/${id}`)).json();
    expect(shown.myRegistration).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(shown.placesLeft).toBe(0);
    expect(shown.organiserNotes).toBeUndefined();

    // A cancels: C (first on the waitlist) is offered the place and told by email.
    expect((await call(a.token, 'DELETE', `/api/v1/events/${id}/registration`)).statusCode).toBe(204);
    const offered = await ctx.db
      .selectFrom('event_registrations')
      .select(['user_id', 'status'])
      .where('event_id', '=', id)
      .orderBy('id')
      .execute();
    expect(offered.map((r) => r.status)).toEqual(['cancelled', 'registered', 'offered', 'waitlisted']);
    const mail = await ctx.db
      .selectFrom('outbox')
      .select(['subject', 'body_text'])
      .where('to_address', '=', c.user.email)
      .where('kind', '=', 'events.offer')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toBe('A place is free: East launch');
    expect(mail.body_text).toContain(`http://cln.test/events/${id}`);

    // C declines through the page: D is offered. D lets the offer run out: nobody is left.
    const cAgent = new Agent(ctx.app);
    await cAgent.signIn(c.user.email);
    const page = await cAgent.get(`/events/${id}`);
    expect(visibleText(page.body)).toContain('A place has come free');
    location(await cAgent.post(`/events/${id}/offer`, { answer: 'decline' }));
    const dOffer = await ctx.db
      .selectFrom('event_registrations')
      .select(['id', 'status'])
      .where('event_id', '=', id)
      .where('user_id', '=', d.user.id)
      .executeTakeFirstOrThrow();
    expect(dOffer.status).toBe('offered');
    await ctx.db
      .updateTable('event_registrations')
      .set({ offer_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', dOffer.id)
      .execute();
    const accepted = await call(d.token, 'POST', `/api/v1/events/${id}/registration/offer`, {
      answer: 'accept',
    });
    expect(accepted.statusCode).toBe(409);
    expect(accepted.json().error.message).toContain('This offer ran out');
    const task = ctx.app.scheduledTasks.find((t) => t.name === 'events.offer-expiry')!;
    await task.run();
    const after = await ctx.db
      .selectFrom('event_registrations')
      .select(['status', 'cancel_reason'])
      .where('id', '=', dOffer.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'cancelled', cancel_reason: 'The offer ran out' });

    // E joins: one place is free, so E is registered at once.
    const e = await member();
    expect((await call(e.token, 'POST', `/api/v1/events/${id}/registration`, {})).json().status).toBe(
      'registered',
    );

    // Capacity below the places taken is refused; the organiser's page lists the waitlist.
    const manage = visibleText((await lead.get(`/events/${id}/manage`)).body);
    expect(manage).toContain('2 of 2 members’ places taken');
    const edit = await lead.get(`/events/${id}/edit`);
    expect(edit.statusCode).toBe(200);
    const lower = await lead.post(`/events/${id}/edit`, eventForm({ capacity: '1' }));
    expect(refusedForm(lower, 400, `Change East launch`)[0]!.text).toBe(
      '2 places are already taken: the event needs at least 2 places for members',
    );
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'events.%')
      .execute();
    expect(new Set(audits.map((x) => x.action))).toEqual(
      new Set([
        'events.event.create',
        'events.event.publish',
        'events.registration.create',
        'events.registration.cancel',
        'events.registration.offer',
        'events.registration.decline',
        'events.registration.expire',
      ]),
    );
  });

  it('never exceeds the capacity when 25 people race for the last place', async () => {
    const lead = await leadAgent();
    const id = await createPublished(lead, { capacity: '3' });
    const first = [await member(), await member()];
    for (const m of first) await call(m.token, 'POST', `/api/v1/events/${id}/registration`, {});
    const racers = [];
    for (let i = 0; i < 25; i++) racers.push(await member());
    const answers = await Promise.all(
      racers.map((m) => call(m.token, 'POST', `/api/v1/events/${id}/registration`, {})),
    );
    const statuses = answers.map((r) => (r.json() as { status: string }).status);
    expect(statuses.filter((s) => s === 'registered')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'waitlisted')).toHaveLength(24);
    const rows = await ctx.db
      .selectFrom('event_registrations')
      .select('status')
      .where('event_id', '=', id)
      .execute();
    expect(rows.filter((r) => r.status === 'registered')).toHaveLength(3);
  }, 120_000);

  it('keeps registration to its window and approval events to the organisers', async () => {
    const lead = await leadAgent();
    const later = await createPublished(lead, { registrationOpensOn: day(20) });
    const m = await member();
    const early = await call(m.token, 'POST', `/api/v1/events/${later}/registration`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/^Registration opens on \d{4}-\d{2}-\d{2} at 00:00$/);
    const approval = await createPublished(lead, { needsApproval: 'yes' });
    expect((await call(m.token, 'POST', `/api/v1/events/${approval}/registration`, {})).json().status).toBe(
      'awaiting-approval',
    );
    const regs = await lead.get(`/events/${approval}/manage`);
    const regId = /\/events\/\d+\/registrations\/(\d+)/.exec(regs.body)![1];
    location(await lead.post(`/events/${approval}/registrations/${regId}`, { decision: 'approve' }));
    expect((await call(m.token, 'GET', `/api/v1/events/${approval}`)).json().myRegistration.status).toBe(
      'registered',
    );
    // Attendance only once the event has started.
    const early2 = await lead.post(`/events/${approval}/registrations/${regId}`, { decision: 'attended' });
    expect(early2.statusCode).toBe(409);
  });

  it('shows the calendar with filters, public events signed out, and cancels with notice', async () => {
    const lead = await leadAgent();
    const open = await createPublished(lead, {
      title: 'Open day for all',
      audience: 'public',
      format: 'online',
      onlineUrl: 'https://meet.nhs.test/x',
      venueName: '',
    });
    const regional = await createPublished(lead, { title: 'Regional only day' });
    const signedOut = new Agent(ctx.app);
    const list = visibleText((await signedOut.get('/events')).body);
    expect(list).toContain('Open day for all');
    expect(list).not.toContain('Regional only day');
    expect((await signedOut.get(`/events/${regional}`)).statusCode).toBe(404);
    const page = visibleText((await signedOut.get(`/events/${open}`)).body);
    expect(page).toContain('Sign in to register');
    expect(page).not.toContain('meet.nhs.test');
    const m = await member();
    const mine = new Agent(ctx.app);
    await mine.signIn(m.user.email);
    const filtered = visibleText((await mine.get('/events?format=online')).body);
    expect(filtered).toContain('Open day for all');
    expect(filtered).not.toContain('Regional only day');
    await mine.get(`/events/${regional}`);
    location(await mine.post(`/events/${regional}/register`));
    const home = visibleText((await mine.get('/member')).body);
    expect(home).toContain('Your events');
    expect(home).toContain('Regional only day');
    await lead.get(`/events/${regional}/manage`);
    location(await lead.post(`/events/${regional}/status`, { to: 'cancelled', reason: 'Venue flooded' }));
    const notice = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', m.user.email)
      .where('kind', '=', 'events.cancelled')
      .executeTakeFirstOrThrow();
    expect(notice.body_text).toContain('Venue flooded');
    const again = await mine.post(`/events/${regional}/register`);
    expect(again.statusCode).toBe(409);
  });

  it('gives each event a calendar file with a stable UID, a rising SEQUENCE and STATUS:CANCELLED', async () => {
    const lead = await leadAgent();
    const id = await createPublished(lead, {
      title: 'Calendar day',
      startDate: '2030-03-31',
      endDate: '2030-03-31',
    });
    const read = async () => {
      const res = await lead.get(`/events/${id}/calendar.ics`);
      expect(res.headers['content-type']).toContain('text/calendar');
      const events = new ICAL.Component(ICAL.parse(res.body)).getAllSubcomponents('vevent');
      expect(events).toHaveLength(1);
      const e = events[0]!;
      return {
        uid: String(e.getFirstPropertyValue('uid')),
        sequence: Number(e.getFirstPropertyValue('sequence')),
        status: String(e.getFirstPropertyValue('status')),
        start: (e.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
        summary: String(e.getFirstPropertyValue('summary')),
      };
    };
    const first = await read();
    expect(first.start).toBe('2030-03-31T09:00:00.000Z');
    await lead.get(`/events/${id}/edit`);
    location(
      await lead.post(
        `/events/${id}/edit`,
        eventForm({
          title: 'Calendar day (moved)',
          startDate: '2030-03-31',
          endDate: '2030-03-31',
          startTime: '11:00',
        }),
      ),
    );
    const second = await read();
    expect(second.uid).toBe(first.uid);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.summary).toBe('Calendar day (moved)');
    expect(second.start).toBe('2030-03-31T10:00:00.000Z');
    location(await lead.post(`/events/${id}/status`, { to: 'cancelled', reason: '' }));
    const third = await read();
    expect(third.status).toBe('CANCELLED');
    expect(third.sequence).toBeGreaterThan(second.sequence);
  });
});
