import { z } from 'zod';
import type { FieldError } from './errors.ts';
import { idParam } from './schemas.ts';

/**
 * The characters no field of any form, query string, path or JSON body may hold, checked once for
 * every request in the shared layer (`checkRequestText`), before any schema or handler sees them:
 *
 * - NUL and the other control characters (C0 except tab, line feed and carriage return; DEL; C1):
 *   PostgreSQL text cannot hold NUL at all (the insert fails), and the others are invisible, break
 *   CSV exports and emails, and are never typed by a person;
 * - lone UTF-16 surrogates: not characters at all (JSON can carry `"\ud800"`); the database driver
 *   would silently store U+FFFD instead of what was sent;
 * - bidirectional embedding, override and isolate controls (U+202A to U+202E, U+2066 to U+2069):
 *   they make stored text display in an order other than the one it is read and compared in
 *   ("Trojan source"); right-to-left scripts display correctly without them. The marks U+200E and
 *   U+200F stay allowed.
 *
 * Each is refused with a message that names the field, rather than stripped: a silent change to
 * what a person typed is worse than asking them to retype it.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** Deeper than any schema nests: the schema refuses the shape, so the walk need not go further. */
const MAX_DEPTH = 32;

/** Why a string cannot be accepted, or null when it can. */
export function unsafeTextReason(value: string): string | null {
  if (CONTROL.test(value)) return 'must not contain control characters (such as a NUL byte)';
  if (LONE_SURROGATE.test(value)) return 'must not contain broken characters (a lone UTF-16 surrogate)';
  if (BIDI_CONTROL.test(value))
    return 'must not contain hidden text-direction controls (such as a right-to-left override)';
  return null;
}

/**
 * Arrays and plain objects, including query-string results (fast-querystring's objects inherit
 * from an object that itself has no prototype); not buffers, streams, dates or class instances.
 */
function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/**
 * Every string in a parsed input (a form or JSON body, a query string, path parameters), keys
 * included, that holds a character no field may hold: one error per field, in input order.
 * Buffers, streams and uploaded files are not walked.
 */
export function findUnsafeText(input: unknown, prefix = '', max = 20): FieldError[] {
  const out: FieldError[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (out.length >= max) return;
    if (typeof value === 'string') {
      const reason = unsafeTextReason(value);
      if (reason) out.push({ field: path || 'body', message: `${labelOf(path)} ${reason}` });
      return;
    }
    if (depth >= MAX_DEPTH || !isPlainContainer(value)) return;
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, item] of entries) {
      const name = String(key);
      const keyReason = typeof key === 'string' ? unsafeTextReason(key) : null;
      if (keyReason) {
        out.push({ field: path || 'body', message: `A field name ${keyReason}` });
        continue;
      }
      walk(item, path ? `${path}.${name}` : name, depth + 1);
    }
  };
  walk(input, prefix, 0);
  return out;
}

function labelOf(path: string): string {
  if (!path) return 'The request';
  const last =
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? path;
  // "familyName" -> "Family name", "registration_number" -> "Registration number"
  const words = last
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .slice(0, 60);
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : 'A field';
}

/** The names of a route's path parameters: `/sets/:id/sessions/:sessionId` gives `id`, `sessionId`. */
export function pathParameterNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

const ID_SHAPE = idParam.shape.id;
const ANY_PATH_VALUE = z.string().min(1).max(200);

/**
 * The schema for path parameters of a route that declares none: `:id` is a positive whole number (as
 * `idParam`), any other parameter a non-empty string of at most 200 characters. The handler's own
 * `parsePathParams` then checks what it means (a region code, a token); a failure here is a 404 on a
 * page and a 400 in the API, like a failure there.
 */
export function defaultPathParams(names: string[]) {
  return z.object(Object.fromEntries(names.map((n) => [n, n === 'id' ? ID_SHAPE : ANY_PATH_VALUE])));
}

const QUERY_VALUE = z.string().max(10_000, 'Enter no more than 10,000 characters');

/**
 * The schema for the query string of a route that declares none: names of up to 100 characters,
 * each value a string (or a repeated name: up to 100 of them) of at most 10,000 characters. Pages
 * that read filters parse them again with their own schema (`parseQuery`, `checkQuery`).
 */
export const anyQueryString = z.record(
  z.string().max(100, 'A query parameter name is too long'),
  z.union([QUERY_VALUE, z.array(QUERY_VALUE).max(100, 'A query parameter is repeated too often')]),
);
