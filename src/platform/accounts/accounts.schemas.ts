import { z } from 'zod';
import { ROLES } from '../permissions.ts';
import { emailField, nameField, regionCodeField } from '../schemas.ts';
import { PASSWORD_MAX_LENGTH } from '../security.ts';

const passwordField = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .max(PASSWORD_MAX_LENGTH, `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`);

export const signInSchema = z.strictObject({
  email: emailField,
  password: passwordField,
  next: z.string().max(500).optional(),
});

export const forgotPasswordSchema = z.strictObject({ email: emailField });

export const newPasswordSchema = z
  .strictObject({ password: passwordField, confirmPassword: z.string().max(PASSWORD_MAX_LENGTH) })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

export const changePasswordSchema = z
  .strictObject({
    currentPassword: passwordField,
    newPassword: passwordField,
    confirmPassword: z.string().max(PASSWORD_MAX_LENGTH),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

export const setupSchema = z
  .strictObject({
    name: nameField,
    email: emailField,
    password: passwordField,
    confirmPassword: z.string().max(PASSWORD_MAX_LENGTH),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

const roleField = z.enum(ROLES, { error: 'Choose a role' });
const optionalRegion = z.preprocess(
  (v) => (v === '' || v === null ? undefined : v),
  regionCodeField.optional(),
);

export const roleGrantSchema = z.strictObject({ role: roleField, region: optionalRegion });

export const createUserSchema = z.strictObject({
  name: nameField,
  email: emailField,
  role: roleField,
  region: optionalRegion,
});

export const apiTokenSchema = z.strictObject({
  name: z
    .string({ error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token, such as "Reporting script"')
    .max(100, 'Token name must be 100 characters or fewer'),
});

export const userListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  role: z
    .enum(ROLES)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const roleGrantOut = z.object({ role: z.enum(ROLES), regionCode: z.string().nullable() });
export const userOut = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  roles: z.array(roleGrantOut),
});
