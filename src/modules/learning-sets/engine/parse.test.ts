import { describe, expect, it } from 'vitest';
import { MdgpParseError } from './errors.ts';
import { parseMdgpInstance } from './parse.ts';

const valid = ['4 2 ss 2 2 2 2 ', '0 1 1.5', '0 2 2', '0 3 3', '1 2 4', '1 3 5', '2 3 6', ''].join('\n');

/** Replaces line `lineNo` (1-based) of the valid file. */
function withLine(lineNo: number, text: string): string {
  const lines = valid.split('\n');
  lines[lineNo - 1] = text;
  return lines.join('\n');
}

function parseError(text: string): MdgpParseError {
  try {
    parseMdgpInstance(text);
  } catch (error) {
    if (error instanceof MdgpParseError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('parseMdgpInstance', () => {
  it('reads the header, the bounds and a symmetric matrix', () => {
    const instance = parseMdgpInstance(valid);
    expect(instance).toMatchObject({ n: 4, m: 2, kind: 'ss', lower: [2, 2], upper: [2, 2] });
    expect(instance.distances[0 * 4 + 1]).toBe(1.5);
    expect(instance.distances[1 * 4 + 0]).toBe(1.5);
    expect(instance.distances[3 * 4 + 2]).toBe(6);
    expect(instance.distances[2 * 4 + 2]).toBe(0);
  });

  it('accepts CRLF line endings and different sizes', () => {
    const text = ['3 2 ds 1 2 1 2', '0 1 1', '0 2 2', '1 2 3'].join('\r\n');
    expect(parseMdgpInstance(text)).toMatchObject({ n: 3, m: 2, kind: 'ds', lower: [1, 1], upper: [2, 2] });
  });

  it.each([
    [withLine(3, '0 2'), 3, 'expected "i j distance"'],
    [withLine(4, '0 3 far'), 4, 'distance "far" is not a number'],
    [withLine(5, '1 7 4'), 5, 'out of range'],
    [withLine(6, '0 1 5'), 6, 'pair 0 1 appears twice'],
    [withLine(7, '2 2 6'), 7, 'to itself'],
    [withLine(1, '4 2 xs 2 2 2 2'), 1, 'expected "ss" or "ds"'],
    [withLine(1, '4 2 ss 2 2 2'), 1, '4 size bounds for m = 2, found 3'],
    [withLine(1, '4 2 ds 3 2 2 2'), 1, 'group 1: lower bound 3 exceeds upper bound 2'],
    [withLine(1, '4 2 ds 1 1 1 1'), 1, 'upper bounds add up to 2, less than n = 4'],
    [withLine(1, '4 2 ds 3 3 3 3'), 1, 'lower bounds add up to 6, more than n = 4'],
    [withLine(1, 'four 2 ss 2 2 2 2'), 1, 'n must be a whole number'],
  ])('names the line and the problem (%#)', (text, line, detail) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    expect(error.message).toContain(detail);
  });

  it('reports missing pairs, naming the first one', () => {
    const error = parseError(withLine(4, ''));
    expect(error.message).toContain('expected 6 distance lines, found 5');
    expect(error.message).toContain('first missing pair: 0 3');
  });

  it('rejects an empty file', () => {
    expect(parseError('\n\n').message).toBe('line 1: the file is empty');
  });
});
