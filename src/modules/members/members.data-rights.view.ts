import type { DataDownload } from '../../platform/data-rights.ts';

/** The JSON download: `{ generatedAt, <module>: { <section key>: records } }`. */
export function downloadJson(d: { generatedAt: Date; parts: DataDownload }): Record<string, unknown> {
  const out: Record<string, unknown> = { generatedAt: d.generatedAt.toISOString() };
  for (const p of d.parts) out[p.module] = Object.fromEntries(p.sections.map((s) => [s.key, s.records]));
  return out;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});

function label(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function text(v: unknown): string {
  if (v === null || v === undefined || v === '') return 'None';
  if (v instanceof Date) return dateTime.format(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.length ? v.map(text).join(', ') : 'None';
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return s.length > 2000 ? `${s.slice(0, 2000)}… (in full in the JSON download)` : s;
}

/** The readable page: per module a heading, per section a heading, per record a summary list. */
export function downloadPage(d: DataDownload) {
  return d.map((p) => ({
    title: p.title,
    sections: p.sections.map((s) => ({
      title: s.title,
      records: s.records.map((r) =>
        Object.entries(r).map(([k, v]) => ({
          key: { text: label(k) },
          value: { text: k === 'base64' ? 'The image, in the JSON download' : text(v) },
        })),
      ),
    })),
  }));
}
