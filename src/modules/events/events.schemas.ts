import { z } from 'zod';
import type {
  EventAudience,
  EventFormat,
  EventScope,
  EventStatus,
  RegistrationStatus,
} from './events.table.ts';

// Schemas of events and registrations, shared by the HTML forms and the JSON API.

export const LIMITS = {
  title: 200,
  summary: 1000,
  description: 10_000,
  venueName: 200,
  venueAddress: 500,
  accessibilityNotes: 2000,
  url: 500,
  notes: 4000,
  reason: 500,
  invitees: 500,
  inviteeText: 30_000,
  agendaItems: 40,
  agendaTitle: 200,
  speakers: 500,
  capacity: 100_000,
} as const;

export const EVENT_SCOPES = ['regional', 'national'] as const satisfies readonly EventScope[];
export const EVENT_SCOPE_LABELS: Record<EventScope, string> = {
  regional: 'Regional event',
  national: 'National event',
};
export const EVENT_FORMATS = ['in-person', 'online', 'hybrid'] as const satisfies readonly EventFormat[];
export const EVENT_FORMAT_LABELS: Record<EventFormat, string> = {
  'in-person': 'In person',
  online: 'Online',
  hybrid: 'Hybrid (in person and online)',
};
export const EVENT_STATUS_LABELS: Record<EventStatus, string> = {
  draft: 'Draft',
  published: 'Published',
  cancelled: 'Cancelled',
};
export const EVENT_AUDIENCES = [
  'members',
  'region',
  'invitees',
  'public',
] as const satisfies readonly EventAudience[];
export const EVENT_AUDIENCE_LABELS: Record<EventAudience, string> = {
  members: 'All members of the network',
  region: 'Members of one region',
  invitees: 'Named invitees only',
  public: 'Anyone (public)',
};
export const REGISTRATION_STATUSES = [
  'registered',
  'awaiting-approval',
  'waitlisted',
  'offered',
  'cancelled',
  'attended',
  'no-show',
] as const satisfies readonly RegistrationStatus[];
export const REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
  registered: 'Registered',
  'awaiting-approval': 'Awaiting approval',
  waitlisted: 'On the waitlist',
  offered: 'Offered a place',
  cancelled: 'Cancelled',
  attended: 'Attended',
  'no-show': 'Did not attend',
};

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
/** A form's single checkbox ("yes") or the API's boolean. */
const asBoolean = (v: unknown) => v === true || v === 'yes' || v === 'true' || v === 'on';
const cap = (label: string) => `${label.charAt(0).toUpperCase()}${label.slice(1)}`;

function text(label: string, max: number) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${cap(label)} must be ${max} characters or fewer`);
}
function optionalText(label: string, max: number) {
  return z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null)),
      z
        .string({ error: `Enter ${label}` })
        .trim()
        .max(max, `${cap(label)} must be ${max} characters or fewer`)
        .nullable(),
    )
    .default(null);
}
const date = (label: string) => z.iso.date({ error: `Enter ${label} as a real date, like 2027-03-01` });
const time = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `Enter ${label} as a 24-hour time, like 09:30`);
function whole(label: string, min: number, max: number, fallback?: number) {
  const n = z.coerce
    .number({ error: `Enter ${label} as a number` })
    .int(`Enter ${label} as a whole number`)
    .min(min, `${cap(label)} must be ${min} or more`)
    .max(max, `${cap(label)} must be ${max} or fewer`);
  return fallback === undefined ? n : z.preprocess(emptyToUndefined, n.default(fallback));
}
const regionCode = z.preprocess(
  emptyToNull,
  z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^Q3\d$/, 'Choose a region from the list')
    .nullable(),
);

/** An event's details, as its organiser sets them (times are wall-clock times in the UK). */
export const eventInput = z
  .strictObject({
    scope: z.enum(EVENT_SCOPES, { error: 'Choose whether the event is regional or national' }),
    regionCode: regionCode.default(null),
    format: z.enum(EVENT_FORMATS, { error: 'Choose in person, online or hybrid' }),
    title: text('the title', LIMITS.title),
    summary: text('the summary', LIMITS.summary),
    description: optionalText('the description', LIMITS.description),
    venueName: optionalText('the venue', LIMITS.venueName),
    venueAddress: optionalText('the venue address', LIMITS.venueAddress),
    accessibilityNotes: optionalText('the accessibility notes', LIMITS.accessibilityNotes),
    onlineUrl: optionalText('the online link', LIMITS.url).refine(
      (v) => v === null || /^https:\/\/[^\s<>"]+$/.test(v),
      'Enter an online link starting with https://',
    ),
    startDate: date('the start date'),
    startTime: time('the start time'),
    endDate: date('the end date'),
    endTime: time('the end time'),
    capacity: whole('the number of places for members', 1, LIMITS.capacity),
    reservedPlaces: whole('the number of reserved places', 0, 10_000, 0),
    registrationOpensOn: z
      .preprocess(emptyToNull, date('the day registration opens').nullable())
      .default(null),
    registrationClosesOn: z
      .preprocess(emptyToNull, date('the last day of registration').nullable())
      .default(null),
    cancellationCutoffHours: whole('the cancellation cut-off in hours', 0, 720, 24),
    offerHours: whole('how long an offered place is held, in hours', 1, 336, 48),
    needsApproval: z.preprocess(asBoolean, z.boolean()).default(false),
    audience: z.enum(EVENT_AUDIENCES, { error: 'Choose who the event is for' }),
    audienceRegionCode: regionCode.default(null),
    inviteeEmails: optionalText('the invitees', LIMITS.inviteeText),
    organiserNotes: optionalText('the notes for organisers', LIMITS.notes),
  })
  .superRefine((v, ctx) => {
    if (v.scope === 'regional' && !v.regionCode)
      ctx.addIssue({
        code: 'custom',
        path: ['regionCode'],
        message: 'Choose the region of a regional event',
      });
    if (v.audience === 'region' && !v.audienceRegionCode && !v.regionCode)
      ctx.addIssue({
        code: 'custom',
        path: ['audienceRegionCode'],
        message: 'Choose the region the event is for',
      });
    if (v.audience === 'invitees' && !v.inviteeEmails)
      ctx.addIssue({
        code: 'custom',
        path: ['inviteeEmails'],
        message: 'Enter the email address of each invitee',
      });
    if (v.format !== 'online' && !v.venueName)
      ctx.addIssue({
        code: 'custom',
        path: ['venueName'],
        message: 'Enter the venue of an in-person or hybrid event',
      });
    if (v.format !== 'in-person' && !v.onlineUrl)
      ctx.addIssue({
        code: 'custom',
        path: ['onlineUrl'],
        message: 'Enter the online link of an online or hybrid event',
      });
  });
export type EventInput = z.output<typeof eventInput>;

export const agendaItemInput = z.strictObject({
  time: time('the time of the item'),
  title: text('the title of the item', LIMITS.agendaTitle),
  speakers: optionalText('the speakers', LIMITS.speakers),
});
export type AgendaItemInput = z.output<typeof agendaItemInput>;
export const agendaInput = z.strictObject({
  items: z
    .array(agendaItemInput)
    .max(LIMITS.agendaItems, `An agenda has at most ${LIMITS.agendaItems} items`),
});
export const removeInput = z.strictObject({
  itemId: z.coerce.number({ error: 'Choose an item' }).int().positive().max(2_147_483_647),
});

export const statusInput = z.strictObject({
  to: z.enum(['published', 'cancelled'], { error: 'Choose publish or cancel' }),
  reason: optionalText('the reason', LIMITS.reason),
});
export type StatusInput = z.output<typeof statusInput>;

/** An organiser's decision on one registration. */
export const DECISIONS = ['approve', 'refuse', 'attended', 'no-show'] as const;
export const decisionInput = z.strictObject({
  decision: z.enum(DECISIONS, { error: 'Choose approve, refuse, attended or did not attend' }),
});
export type DecisionInput = z.output<typeof decisionInput>;

export const registrationParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  registrationId: z.coerce.number().int().positive().max(2_147_483_647),
});

export const eventListQuery = z.object({
  region: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^Q3\d$/, 'Choose a region from the list')
      .optional(),
  ),
  format: z.preprocess(
    emptyToUndefined,
    z.enum(EVENT_FORMATS, { error: 'Choose a format from the list' }).optional(),
  ),
  scope: z.preprocess(
    emptyToUndefined,
    z.enum(EVENT_SCOPES, { error: 'Choose regional or national' }).optional(),
  ),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type EventListQuery = z.output<typeof eventListQuery>;

// ---- API output ----
export const agendaItemOut = z.object({
  id: z.number(),
  position: z.number(),
  time: z.string(),
  title: z.string(),
  speakers: z.string().nullable(),
});
export const eventSummaryOut = z.object({
  id: z.number(),
  scope: z.enum(EVENT_SCOPES),
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  format: z.enum(EVENT_FORMATS),
  status: z.enum(['draft', 'published', 'cancelled']),
  title: z.string(),
  summary: z.string(),
  startsAt: z.string().describe('ISO 8601 instant'),
  endsAt: z.string(),
  startLocal: z.string().describe('Start as a wall-clock time in the UK, like 2027-03-28 10:00'),
  endLocal: z.string(),
  venueName: z.string().nullable(),
  capacity: z.number(),
  placesLeft: z.number(),
  waitlisted: z.number(),
  myStatus: z.enum(REGISTRATION_STATUSES).nullable(),
});
export const eventOut = eventSummaryOut.extend({
  description: z.string().nullable(),
  venueAddress: z.string().nullable(),
  accessibilityNotes: z.string().nullable(),
  onlineUrl: z.string().nullable().describe('Shown to people with a place'),
  reservedPlaces: z.number(),
  registrationOpensOn: z.string().nullable(),
  registrationClosesOn: z.string().nullable(),
  cancellationCutoffHours: z.number(),
  offerHours: z.number(),
  needsApproval: z.boolean(),
  audience: z.enum(EVENT_AUDIENCES),
  audienceRegionCode: z.string().nullable(),
  cancelReason: z.string().nullable(),
  sequence: z.number(),
  agenda: z.array(agendaItemOut),
  myRegistration: z
    .object({
      id: z.number(),
      status: z.enum(REGISTRATION_STATUSES),
      offerExpiresAt: z.string().nullable(),
      waitlistPosition: z.number().nullable(),
    })
    .nullable(),
  canManage: z.boolean(),
  organiserNotes: z.string().nullable().optional().describe('For organisers only'),
  inviteeEmails: z.array(z.string()).optional().describe('For organisers only'),
});
export const registrationOut = z.object({
  id: z.number(),
  userId: z.number(),
  name: z.string(),
  email: z.string(),
  status: z.enum(REGISTRATION_STATUSES),
  reserved: z.boolean(),
  waitlistPosition: z.number().nullable(),
  offerExpiresAt: z.string().nullable(),
  createdAt: z.string(),
});
