import { ValidationError } from '../../platform/errors.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  type Profession,
  PROFESSIONS,
  registerForProfession,
} from '../../platform/registration.ts';

// Small helpers the members service's sections share.

export function professionLabel(key: string | null): string | null {
  return PROFESSIONS.find((p) => p.key === key)?.label ?? null;
}

/** A field of the input is wrong: a ValidationError with this message on it. */
export function fail(field: string, message: string): never {
  throw new ValidationError([{ field, message }]);
}

/** A registration number checked against its profession’s register and normalised; null when none is given. */
export function checkRegistration(profession: string | null, number: string | null): string | null {
  if (!number) return null;
  if (!profession) fail('registrationNumber', 'Choose your profession before entering a registration number');
  const message = checkRegistrationNumber(registerForProfession(profession as Profession), number);
  if (message) fail('registrationNumber', message);
  return normaliseRegistrationNumber(number);
}
