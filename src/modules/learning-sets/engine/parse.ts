import { MdgpParseError } from './errors.ts';
import type { MdgpInstance } from './types.ts';

/**
 * Parses an MDGPLIB instance: line 1 `n m ss|ds a_1 b_1 ... a_m b_m`, then one line `i j d`
 * for every pair i < j. Throws `MdgpParseError` naming the line and the problem.
 */
export function parseMdgpInstance(text: string): MdgpInstance {
  const lines = text.split(/\r?\n/);
  let lineIndex = 0;
  while (lineIndex < lines.length && lines[lineIndex]!.trim() === '') lineIndex++;
  if (lineIndex === lines.length) throw new MdgpParseError(1, 'the file is empty');
  const header = parseHeader(lines[lineIndex]!, lineIndex + 1);
  const { n } = header;
  const distances = new Float64Array(n * n);
  const seen = new Uint8Array(n * n);
  let pairs = 0;
  for (lineIndex++; lineIndex < lines.length; lineIndex++) {
    const text = lines[lineIndex]!.trim();
    if (text === '') continue;
    const lineNo = lineIndex + 1;
    const [i, j, d] = parsePairLine(text, lineNo, n);
    if (seen[i * n + j]) throw new MdgpParseError(lineNo, `pair ${i} ${j} appears twice`);
    seen[i * n + j] = 1;
    seen[j * n + i] = 1;
    distances[i * n + j] = d;
    distances[j * n + i] = d;
    pairs++;
  }
  const expected = (n * (n - 1)) / 2;
  if (pairs !== expected) {
    throw new MdgpParseError(
      lines.length,
      `expected ${expected} distance lines, found ${pairs}${describeMissing(seen, n)}`,
    );
  }
  return { ...header, distances };
}

interface Header {
  n: number;
  m: number;
  kind: 'ss' | 'ds';
  lower: number[];
  upper: number[];
}

function parseHeader(text: string, lineNo: number): Header {
  const fields = text.trim().split(/\s+/);
  const usage = 'expected "n m ss|ds a_1 b_1 ... a_m b_m"';
  if (fields.length < 3) throw new MdgpParseError(lineNo, usage);
  const n = parseCount(fields[0]!, 'n', lineNo);
  const m = parseCount(fields[1]!, 'm', lineNo);
  const kind = fields[2];
  if (kind !== 'ss' && kind !== 'ds')
    throw new MdgpParseError(lineNo, `expected "ss" or "ds", found "${kind}"`);
  if (n < 2) throw new MdgpParseError(lineNo, `need at least 2 people, found n = ${n}`);
  if (m < 1) throw new MdgpParseError(lineNo, `need at least 1 group, found m = ${m}`);
  if (fields.length !== 3 + 2 * m) {
    throw new MdgpParseError(
      lineNo,
      `${usage}: ${2 * m} size bounds for m = ${m}, found ${fields.length - 3}`,
    );
  }
  const lower: number[] = [];
  const upper: number[] = [];
  for (let g = 0; g < m; g++) {
    const a = parseCount(fields[3 + 2 * g]!, `a_${g + 1}`, lineNo);
    const b = parseCount(fields[4 + 2 * g]!, `b_${g + 1}`, lineNo);
    if (a > b) throw new MdgpParseError(lineNo, `group ${g + 1}: lower bound ${a} exceeds upper bound ${b}`);
    lower.push(a);
    upper.push(b);
  }
  const sumLower = lower.reduce((s, x) => s + x, 0);
  const sumUpper = upper.reduce((s, x) => s + x, 0);
  if (sumLower > n)
    throw new MdgpParseError(lineNo, `lower bounds add up to ${sumLower}, more than n = ${n}`);
  if (sumUpper < n)
    throw new MdgpParseError(lineNo, `upper bounds add up to ${sumUpper}, less than n = ${n}`);
  if (kind === 'ss' && (lower.some((a) => a !== lower[0]) || upper.some((b) => b !== upper[0]))) {
    throw new MdgpParseError(lineNo, '"ss" instance with groups of different size bounds');
  }
  return { n, m, kind, lower, upper };
}

function parseCount(field: string, name: string, lineNo: number): number {
  if (!/^\d+$/.test(field))
    throw new MdgpParseError(lineNo, `${name} must be a whole number, found "${field}"`);
  return Number(field);
}

function parsePairLine(text: string, lineNo: number, n: number): [number, number, number] {
  const fields = text.split(/\s+/);
  const usage = `expected "i j distance", found "${text.length > 60 ? text.slice(0, 60) + '...' : text}"`;
  if (fields.length !== 3 || !/^\d+$/.test(fields[0]!) || !/^\d+$/.test(fields[1]!)) {
    throw new MdgpParseError(lineNo, usage);
  }
  const i = Number(fields[0]);
  const j = Number(fields[1]);
  const d = Number(fields[2]);
  if (!Number.isFinite(d) || fields[2]!.trim() === '')
    throw new MdgpParseError(lineNo, `distance "${fields[2]}" is not a number`);
  if (i >= n || j >= n)
    throw new MdgpParseError(lineNo, `person index out of range 0..${n - 1} in "${text}"`);
  if (i === j) throw new MdgpParseError(lineNo, `distance from person ${i} to itself`);
  return [i, j, d];
}

/** Names the first missing pair, so a truncated file is easy to diagnose. */
function describeMissing(seen: Uint8Array, n: number): string {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (!seen[i * n + j]) return ` (first missing pair: ${i} ${j})`;
  }
  return '';
}
