// Reading a search query: its words, and the clinical synonym groups its words name. A pure
// function of the query text and the groups, so the repository builds the tsquery from pieces
// (each a parameter of plainto_tsquery or phraseto_tsquery), never from the person's text.

export type SynonymGroup = { id: number; terms: string[] };

/** One part of the query: a word as typed, or words that named a synonym group. */
export type QueryClause =
  { kind: 'word'; word: string } | { kind: 'group'; typed: string; groupId: number; terms: string[] };

// A word: letters and digits, with inner joiners kept ("a&e", "children's", "end-of-life").
const WORD = /[\p{L}\p{N}]+(?:[&'’-][\p{L}\p{N}]+)*/gu;

/** Control characters (NUL among them) can be neither stored nor searched: they separate words. */
export function cleanQuery(q: string): string {
  // eslint-disable-next-line no-control-regex
  return q.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
}

export function tokens(text: string): string[] {
  return [...cleanQuery(text).toLowerCase().replace(/’/g, "'").matchAll(WORD)].map((m) => m[0]);
}

/**
 * Splits a query into clauses: the longest run of words that is a term of a synonym group
 * becomes that group's clause (search finds any of its terms); every other word is its own.
 */
export function readQuery(q: string, groups: readonly SynonymGroup[]): QueryClause[] {
  const words = tokens(q);
  const byFirst = new Map<string, { group: SynonymGroup; words: string[] }[]>();
  for (const group of groups) {
    for (const term of group.terms) {
      const t = tokens(term);
      if (!t.length) continue;
      const list = byFirst.get(t[0]!) ?? [];
      list.push({ group, words: t });
      byFirst.set(t[0]!, list);
    }
  }
  const clauses: QueryClause[] = [];
  const seenGroups = new Set<number>();
  for (let i = 0; i < words.length;) {
    let best: { group: SynonymGroup; words: string[] } | undefined;
    for (const candidate of byFirst.get(words[i]!) ?? []) {
      const n = candidate.words.length;
      if (n > (best?.words.length ?? 0) && candidate.words.every((w, k) => words[i + k] === w))
        best = candidate;
    }
    if (best) {
      const typed = words.slice(i, i + best.words.length).join(' ');
      if (!seenGroups.has(best.group.id)) {
        seenGroups.add(best.group.id);
        clauses.push({ kind: 'group', typed, groupId: best.group.id, terms: best.group.terms });
      }
      i += best.words.length;
    } else {
      if (!clauses.some((c) => c.kind === 'word' && c.word === words[i]))
        clauses.push({ kind: 'word', word: words[i]! });
      i++;
    }
  }
  return clauses;
}

/** The query as the person would read it back (a corrected word in place of the typed one). */
export function queryText(clauses: readonly QueryClause[]): string {
  return clauses.map((c) => (c.kind === 'word' ? c.word : c.typed)).join(' ');
}
