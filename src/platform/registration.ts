import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.ts';

/** The professional registers whose number formats the network checks. */
export const REGISTERS = ['GMC', 'NMC', 'HCPC', 'GPhC', 'GDC'] as const;
export type Register = (typeof REGISTERS)[number];

export const PROFESSIONS = [
  { key: 'doctor', label: 'Doctor', register: 'GMC' },
  { key: 'nurse', label: 'Nurse', register: 'NMC' },
  { key: 'midwife', label: 'Midwife', register: 'NMC' },
  { key: 'allied-health-professional', label: 'Allied health professional', register: 'HCPC' },
  { key: 'pharmacist', label: 'Pharmacist', register: 'GPhC' },
  { key: 'pharmacy-technician', label: 'Pharmacy technician', register: 'GPhC' },
  { key: 'dentist', label: 'Dentist', register: 'GDC' },
  { key: 'dental-care-professional', label: 'Dental care professional', register: 'GDC' },
] as const satisfies readonly { key: string; label: string; register: Register }[];
export type Profession = (typeof PROFESSIONS)[number]['key'];
export const PROFESSION_KEYS = PROFESSIONS.map((p) => p.key) as [Profession, ...Profession[]];

type RegisterFormat = { profession: string; pattern: string; example: string; hint?: string };

const formats = (
  JSON.parse(
    readFileSync(path.join(projectRoot, 'reference-data', 'leadership-frameworks.json'), 'utf8'),
  ) as {
    registration_numbers: Record<string, RegisterFormat | string>;
  }
).registration_numbers;

const patterns = new Map<Register, { regex: RegExp; example: string; hint?: string }>(
  REGISTERS.map((r) => {
    const f = formats[r] as RegisterFormat;
    return [r, { regex: new RegExp(f.pattern), example: f.example, hint: f.hint }];
  }),
);

export function registerForProfession(profession: Profession): Register {
  return PROFESSIONS.find((p) => p.key === profession)!.register;
}

/** Upper-case without spaces or hyphens: the form every register's number is stored in. */
export function normaliseRegistrationNumber(value: string): string {
  return value.toUpperCase().replace(/[\s-]+/g, '');
}

/**
 * Checks a number against its register's published format (no register publishes a check digit).
 * Returns a message for the person, or null when the format is right.
 */
export function checkRegistrationNumber(register: Register, value: string): string | null {
  const n = normaliseRegistrationNumber(value);
  const p = patterns.get(register)!;
  if (!n) return `Enter your ${register} number`;
  if (p.regex.test(n)) return null;
  return `Enter a ${register} number in the correct format, like ${p.example}${p.hint ? ` (${p.hint})` : ''}`;
}
