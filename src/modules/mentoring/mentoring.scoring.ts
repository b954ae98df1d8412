import type { MeetingFormat, ScoreBreakdown } from './mentoring.table.ts';

/**
 * The areas a mentor offers and a mentee's goals are drawn from: the five domains of the Medical
 * Leadership Competency Framework and the kinds of experience the network's members ask for.
 */
export const MENTORING_AREAS = [
  { key: 'personal-qualities', label: 'Demonstrating personal qualities', group: 'competency' },
  { key: 'working-with-others', label: 'Working with others', group: 'competency' },
  { key: 'managing-services', label: 'Managing services', group: 'competency' },
  { key: 'improving-services', label: 'Improving services', group: 'competency' },
  { key: 'setting-direction', label: 'Setting direction', group: 'competency' },
  { key: 'research', label: 'Research', group: 'experience' },
  { key: 'management', label: 'Management', group: 'experience' },
  { key: 'innovation', label: 'Innovation', group: 'experience' },
  { key: 'enterprise', label: 'Enterprise', group: 'experience' },
  { key: 'education', label: 'Education and training', group: 'experience' },
  { key: 'digital', label: 'Digital and informatics', group: 'experience' },
  { key: 'policy', label: 'Policy and national work', group: 'experience' },
] as const;
export type MentoringArea = (typeof MENTORING_AREAS)[number]['key'];
export const AREA_KEYS = MENTORING_AREAS.map((a) => a.key) as [MentoringArea, ...MentoringArea[]];
export const areaLabel = (key: string) => MENTORING_AREAS.find((a) => a.key === key)?.label ?? key;

export type MenteeSide = {
  goalAreas: readonly string[];
  format: MeetingFormat;
  mentorProfessions: readonly string[];
  sameRegion: boolean;
  profession: string | null;
  regionCode: string;
  specialtyId: number | null;
  interests: readonly string[];
};

export type MentorSide = {
  areas: readonly string[];
  format: MeetingFormat;
  menteeProfessions: readonly string[];
  profession: string | null;
  regionCode: string;
  specialtyId: number | null;
  expertise: readonly string[];
  interests: readonly string[];
};

/** Largest score a pair can reach: the parts below add up to at most this. */
export const MAX_SCORE = 100;

const words = (xs: readonly string[]) => new Set(xs.map((x) => x.trim().toLowerCase()).filter(Boolean));

/**
 * How well a mentor suits a mentee, from 1 to 100, with the reasons. Every allowed pair scores at
 * least 1 (so the engine prefers any match to none, as it must anyway); the rest is:
 * - goals: 10 for each of the mentee's goal areas the mentor offers (at most 40);
 * - profession: 15 when the mentee asked for mentors of the mentor's profession; 5 when they did
 *   not say and the two share a profession; 10 more when the mentor asked for mentees of the
 *   mentee's profession;
 * - region: 15 in the same region when the mentee asked for that; 5 otherwise in the same region;
 * - meeting format: 10 when both want the same, 5 when either is happy with both, 0 otherwise
 *   (in person also needs the same region to count as the same);
 * - specialty: 5 for the same specialty;
 * - interests: 1 for each interest of the mentee that the mentor lists as expertise or interest
 *   (at most 4; compared without case).
 */
export function scorePair(
  mentee: MenteeSide,
  mentor: MentorSide,
): { score: number; breakdown: ScoreBreakdown } {
  const parts: ScoreBreakdown = [{ label: 'Allowed pair', points: 1 }];
  const offered = new Set(mentor.areas);
  const shared = mentee.goalAreas.filter((a) => offered.has(a));
  if (shared.length)
    parts.push({
      label: `Goals the mentor offers (${shared.length})`,
      points: Math.min(40, 10 * shared.length),
    });

  if (
    mentee.mentorProfessions.length &&
    mentor.profession &&
    mentee.mentorProfessions.includes(mentor.profession)
  )
    parts.push({ label: 'Mentor of the profession the mentee asked for', points: 15 });
  else if (!mentee.mentorProfessions.length && mentee.profession && mentee.profession === mentor.profession)
    parts.push({ label: 'Same profession', points: 5 });
  if (
    mentor.menteeProfessions.length &&
    mentee.profession &&
    mentor.menteeProfessions.includes(mentee.profession)
  )
    parts.push({ label: 'Mentee of the profession the mentor asked for', points: 10 });

  const sameRegion = mentee.regionCode === mentor.regionCode;
  if (sameRegion)
    parts.push({
      label: mentee.sameRegion ? 'Same region, as the mentee asked' : 'Same region',
      points: mentee.sameRegion ? 15 : 5,
    });

  const formats = effectiveFormats(mentee.format, sameRegion);
  const mentorFormats = effectiveFormats(mentor.format, sameRegion);
  if (mentee.format === mentor.format && formats.length === 1 && mentorFormats.length === 1)
    parts.push({
      label: `Both prefer to meet ${mentee.format === 'online' ? 'online' : 'in person'}`,
      points: 10,
    });
  else if (
    (mentee.format === 'either' || mentor.format === 'either') &&
    formats.some((f) => mentorFormats.includes(f))
  )
    parts.push({ label: 'Meeting format suits both', points: 5 });

  if (mentee.specialtyId != null && mentee.specialtyId === mentor.specialtyId)
    parts.push({ label: 'Same specialty', points: 5 });

  const offeredWords = words([...mentor.expertise, ...mentor.interests]);
  const overlap = [...words(mentee.interests)].filter((w) => offeredWords.has(w)).length;
  if (overlap) parts.push({ label: `Shared interests (${overlap})`, points: Math.min(4, overlap) });

  return { score: parts.reduce((s, p) => s + p.points, 0), breakdown: parts };
}

function effectiveFormats(format: MeetingFormat, sameRegion: boolean): ('online' | 'in-person')[] {
  const all: ('online' | 'in-person')[] = format === 'either' ? ['online', 'in-person'] : [format];
  return sameRegion ? all : all.filter((f) => f === 'online');
}
