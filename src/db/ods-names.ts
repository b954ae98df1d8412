// Names as the NHS Organisation Data Service publishes them, made readable, for the ODS extract
// import. The reference-data migration 2026-11-27-0002 keeps its own frozen copy (migrations never
// import application code), which the GP practices migration shares.

const KEEP_UPPER = new Set(['NHS', 'ICB', 'UK', 'CIC', 'HIV', 'GP', 'II']);
const KEEP_LOWER = new Set(['and', 'of', 'the', 'for', 'in', 'on', 'upon', 'at']);

/** ODS publishes names in capitals; people read them in title case with NHS kept. */
export function titleCase(name: string): string {
  if (name !== name.toUpperCase()) return name;
  return name
    .toLowerCase()
    .split(/(\s+|-|\()/)
    .map((word, i) => {
      const upper = word.toUpperCase();
      if (KEEP_UPPER.has(upper)) return upper;
      if (i > 0 && KEEP_LOWER.has(word)) return word;
      return word.replace(/^([a-z])/, (c) => c.toUpperCase()).replace(/'([a-z])\b/, (m) => m.toLowerCase());
    })
    .join('');
}
