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

/** Words that are initialisms in a heading: `employer_ods_code` reads "Employer ODS code". */
const INITIALISMS: Record<string, string> = {
  ods: 'ODS',
  nhs: 'NHS',
  id: 'ID',
  ids: 'IDs',
  ip: 'IP',
  url: 'URL',
  icb: 'ICB',
  sha: 'SHA',
  gmc: 'GMC',
  nmc: 'NMC',
  hcpc: 'HCPC',
  gphc: 'GPhC',
  csv: 'CSV',
  json: 'JSON',
};

/** A record's field name as a heading a person reads: words split, sentence case, initialisms kept. */
export function fieldLabel(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .map((w) => INITIALISMS[w] ?? w);
  const first = words[0] ?? '';
  words[0] = first === first.toLowerCase() ? first.charAt(0).toUpperCase() + first.slice(1) : first;
  return words.join(' ');
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
          key: { text: fieldLabel(k) },
          value: { text: k === 'base64' ? 'The image, in the JSON download' : text(v) },
        })),
      ),
    })),
  }));
}
