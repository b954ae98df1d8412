import path from 'node:path';
import nunjucks from 'nunjucks';
import { projectRoot, srcDir } from '../paths.ts';
import type { FieldError } from './errors.ts';

export const nhsukFrontendDir = path.join(projectRoot, 'node_modules', 'nhsuk-frontend', 'dist');
/** Templates are found by paths relative to src/ ("views/...", "modules/x/views/...") or to nhsuk-frontend. */
export const templateDirs = [srcDir, nhsukFrontendDir];

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});
const numberFormat = new Intl.NumberFormat('en-GB');

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** Filters every template may use; called by @fastify/view once the environment exists. */
export function configureViewEnvironment(env: nunjucks.Environment): void {
  // The stock trim filter uses a regex that is quadratic on long whitespace and slows NHS.UK
  // macros several times over; String#trim is linear. Keep the input's safeness.
  env.addFilter('trim', (value: unknown) => {
    const out = String(value ?? '').trim();
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(out) : out;
  });
  env.addFilter('date', (v: unknown) => {
    const d = toDate(v);
    return d ? dateFormat.format(d) : '';
  });
  env.addFilter('datetime', (v: unknown) => {
    const d = toDate(v);
    return d ? dateTimeFormat.format(d) : '';
  });
  env.addFilter('number', (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) ? numberFormat.format(v) : '',
  );
  env.addFilter('percent', (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) ? `${Math.round(v * 1000) / 10}%` : '–',
  );
  /** NHS error summary list items, each linking to its field. */
  env.addFilter('errorList', (errors: FieldError[] | undefined) =>
    (errors ?? []).map((e) => ({ text: e.message, href: `#${e.field}` })),
  );
  /** The message for one field, shaped for an NHS component's errorMessage. */
  env.addFilter('fieldError', (errors: FieldError[] | undefined, field: string) => {
    const e = (errors ?? []).find((x) => x.field === field);
    return e ? { text: e.message } : undefined;
  });
}

export const viewOptions = {
  autoescape: true,
  throwOnUndefined: false,
  trimBlocks: true,
  lstripBlocks: true,
};
