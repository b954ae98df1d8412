export type DiffPart = { kind: 'same' | 'ins' | 'del'; text: string };

/** Above this many cells the word table would be slow: the changed middle is shown whole instead. */
const MAX_CELLS = 2_000_000;

/** Words and the spaces after them, so that joining the parts gives the text back exactly. */
function tokens(s: string): string[] {
  return s.match(/\S+\s*|\s+/g) ?? [];
}

function push(out: DiffPart[], kind: DiffPart['kind'], text: string) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.kind === kind) last.text += text;
  else out.push({ kind, text });
}

/**
 * A word-level diff of two texts (the longest common subsequence of their words), as parts kept,
 * added and removed, in reading order. Common words at either end are matched first, so an edit in
 * a long body costs only its changed middle.
 */
export function diffWords(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffPart[] = [];
  push(out, 'same', a.slice(0, start).join(''));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_CELLS) {
    push(out, 'del', midA.join(''));
    push(out, 'ins', midB.join(''));
  } else {
    const n = midA.length;
    const m = midB.length;
    // lcs[i][j]: the longest common subsequence of midA[i..] and midB[j..], in one flat array.
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i * (m + 1) + j] =
          midA[i] === midB[j]
            ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        push(out, 'same', midA[i]!);
        i++;
        j++;
      } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
        push(out, 'del', midA[i++]!);
      } else {
        push(out, 'ins', midB[j++]!);
      }
    }
    while (i < n) push(out, 'del', midA[i++]!);
    while (j < m) push(out, 'ins', midB[j++]!);
  }
  push(out, 'same', a.slice(endA).join(''));
  return out;
}
