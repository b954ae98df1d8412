import type { FieldError } from '../../platform/errors.ts';
import type { VersionStructure } from './development.service.ts';

/** A mean rating as a person reads it: one decimal place, or "not shown". */
export function formatMean(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(1) : 'Not shown';
}

export function describeChange(change: number | null): string {
  if (change === null) return 'First rating';
  if (change === 0) return 'No change';
  return change > 0 ? `Up ${change}` : `Down ${-change}`;
}

type ChartRow = { name: string; self: number | null; raters: number | null };

/**
 * Geometry of a horizontal bar chart (self against all raters, per domain) for the SVG in the
 * report template. Only numbers and the domain names leave here; the template escapes the names.
 */
export function buildDomainChart(rows: ChartRow[], scale: { value: number; label: string }[]) {
  const max = Math.max(...scale.map((s) => s.value));
  const left = 16;
  const barArea = 480;
  const rowHeight = 66;
  const top = 40;
  const width = left + barArea + 60;
  const x = (v: number) => left + (v / max) * barArea;
  return {
    width,
    height: top + rows.length * rowHeight + 10,
    ticks: scale.map((s) => ({ value: s.value, x: x(s.value) })),
    axisTop: top - 6,
    axisBottom: top + rows.length * rowHeight,
    left,
    rows: rows.map((r, i) => {
      const y = top + i * rowHeight;
      return {
        name: r.name,
        labelY: y + 14,
        self:
          r.self === null
            ? null
            : { y: y + 20, width: x(r.self) - left, textX: x(r.self) + 6, value: r.self.toFixed(1) },
        raters:
          r.raters === null
            ? null
            : { y: y + 40, width: x(r.raters) - left, textX: x(r.raters) + 6, value: r.raters.toFixed(1) },
      };
    }),
  };
}

/**
 * The framework editor's text form: "# Domain" lines (add "(optional)" for an optional domain)
 * followed by "- Element: description" lines; the scale is one "Label: descriptor" per line.
 */
export function frameworkToText(v: VersionStructure): { structure: string; scale: string } {
  const structure = v.domains
    .map(
      (d) =>
        `# ${d.name}${d.optional ? ' (optional)' : ''}\n` +
        d.elements.map((e) => `- ${e.name}${e.description ? `: ${e.description}` : ''}`).join('\n'),
    )
    .join('\n');
  const scale = v.scale.map((s) => `${s.label}: ${s.descriptor}`).join('\n');
  return { structure, scale };
}

export function parseFrameworkText(
  structure: string,
  scaleText: string,
): {
  errors: FieldError[];
  value: {
    domains: { name: string; optional: boolean; elements: { name: string; description?: string }[] }[];
    scale: { label: string; descriptor: string }[];
  };
} {
  const errors: FieldError[] = [];
  const domains: { name: string; optional: boolean; elements: { name: string; description?: string }[] }[] =
    [];
  if (structure.length > 60_000) errors.push({ field: 'structure', message: 'The framework is too long' });
  for (const [i, raw] of structure.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      let name = line.replace(/^#+/, '').trim();
      const optional = /\(optional\)$/i.test(name);
      if (optional) name = name.replace(/\(optional\)$/i, '').trim();
      domains.push({ name, optional, elements: [] });
    } else if (line.startsWith('-')) {
      const current = domains.at(-1);
      if (!current) {
        errors.push({
          field: 'structure',
          message: `Line ${i + 1}: start with a domain line beginning with #`,
        });
        break;
      }
      const text = line.replace(/^-+/, '').trim();
      const colon = text.indexOf(':');
      current.elements.push(
        colon > 0
          ? { name: text.slice(0, colon).trim(), description: text.slice(colon + 1).trim() }
          : { name: text },
      );
    } else {
      errors.push({
        field: 'structure',
        message: `Line ${i + 1}: begin domains with # and elements with -`,
      });
      break;
    }
  }
  if (!errors.length && !domains.length)
    errors.push({ field: 'structure', message: 'Enter at least one domain (a line beginning with #)' });
  const scale: { label: string; descriptor: string }[] = [];
  for (const raw of scaleText.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    scale.push(
      colon > 0
        ? { label: line.slice(0, colon).trim(), descriptor: line.slice(colon + 1).trim() }
        : { label: line, descriptor: '' },
    );
  }
  if (scale.some((s) => !s.descriptor))
    errors.push({ field: 'scale', message: 'Give each scale point a descriptor, as "Label: what it means"' });
  return { errors, value: { domains, scale } };
}
