import { kmeans } from 'ml-kmeans';
import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/**
 * Suggested themes for the answers to one open question: each answer becomes a TF-IDF vector over
 * its stemmed words and two-word phrases (stop words dropped), the vectors are clustered with
 * k-means (k-means++ starts from a fixed seed, so a run is repeatable), k is the one with the best
 * mean silhouette (cosine distance), and each cluster is labelled by the phrases that set it apart
 * from the rest, in the words people wrote (the most common surface form of each stem).
 * Plain functions with no I/O: the policy module runs them in a worker thread.
 */

export type SuggestionAnswer = { responseId: number; text: string };

export type SuggestThemesInput = {
  answers: SuggestionAnswer[];
  /** The most clusters tried (default 8). */
  maxThemes?: number;
  /** Smaller clusters are not suggested (default 2, or 3% of the answers when more). */
  minClusterSize?: number;
  seed?: number;
};

export type SuggestedTheme = {
  /** "Staffing levels and rota gaps": the top phrases, for a person to rename. */
  label: string;
  keyphrases: string[];
  responseIds: number[];
  /** The cluster's mean silhouette, from -1 to 1: how well its answers sit together. */
  score: number;
};

export type SuggestThemesResult = {
  themes: SuggestedTheme[];
  /** Answers with enough words to compare (others are left out of every suggestion). */
  analysed: number;
  k: number;
  silhouette: number;
  vocabulary: number;
};

export type EngineHooks = { cancelled?: () => boolean; report?: (progress: EngineProgress) => void };
export type EngineProgress = { stage: 'reading' | 'clustering' | 'labelling'; tried?: number; of?: number };

/** Words that carry no theme in consultation answers, on top of the English stop words. */
const EXTRA_STOPWORDS = [
  'also',
  'would',
  'could',
  'should',
  'must',
  'will',
  'can',
  'may',
  'might',
  'think',
  'feel',
  'believe',
  'really',
  'much',
  'many',
  'lot',
  'lots',
  'get',
  'got',
  'make',
  'made',
  'need',
  'needs',
  'needed',
  'way',
  'ways',
  'thing',
  'things',
  'like',
  'just',
  'one',
  'two',
  'well',
  'even',
  'often',
  'still',
  'yes',
  'every',
  'within',
  'without',
  'etc',
];
const STOPWORDS = new Set([...eng, ...EXTRA_STOPWORDS].map((w) => w.toLowerCase()));

/** Vocabulary kept for the vectors: the terms found in the most answers. */
const MAX_VOCABULARY = 400;
/** k is chosen, and the silhouette measured, on at most this many answers (a fixed sample beyond). */
const SILHOUETTE_SAMPLE = 800;
const RESTARTS = 2;

type Token = { stem: string; surface: string };

/** Lower-case words (letters, digits, inner apostrophes and hyphens), possessive 's dropped. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).map((w) =>
    w.replace(/['’]s$/u, '').replace(/’/gu, "'"),
  );
}

/**
 * The answer's content words, stemmed, in order; `null` marks where a stop word or a number stood,
 * so two-word phrases never jump over one.
 */
export function contentTokens(text: string): (Token | null)[] {
  return words(text).map((w) => {
    if (w.length < 3 || STOPWORDS.has(w) || /^\p{N}+$/u.test(w)) return null;
    const stem = w.includes('-') ? w.split('-').map(stemmer).join('-') : stemmer(w);
    return { stem, surface: w };
  });
}

/** Unigram and bigram terms of one answer with their counts, and each term's surface forms. */
function termsOf(text: string) {
  const tokens = contentTokens(text);
  const counts = new Map<string, number>();
  const surfaces: [string, string][] = [];
  const add = (term: string, surface: string) => {
    counts.set(term, (counts.get(term) ?? 0) + 1);
    surfaces.push([term, surface]);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    add(t.stem, t.surface);
    const next = tokens[i + 1];
    if (next && next.stem !== t.stem) add(`${t.stem} ${next.stem}`, `${t.surface} ${next.surface}`);
  }
  return { counts, surfaces };
}

type SparseVector = { idx: Int32Array; val: Float64Array };

function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i]!;
    const y = b.idx[j]!;
    if (x === y) {
      s += a.val[i]! * b.val[j]!;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return s;
}

/** A small deterministic generator (mulberry32) for the silhouette sample. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mean silhouette of the clustering (cosine distance on unit vectors), and each cluster's mean. */
export function silhouette(vectors: SparseVector[], clusters: number[], k: number, sample: number[]) {
  const perCluster = Array.from({ length: k }, () => ({ sum: 0, n: 0 }));
  let total = 0;
  for (const i of sample) {
    const sums = new Float64Array(k);
    const sizes = new Int32Array(k);
    for (const j of sample) {
      if (i === j) continue;
      sums[clusters[j]!]! += 1 - dot(vectors[i]!, vectors[j]!);
      sizes[clusters[j]!]!++;
    }
    const own = clusters[i]!;
    let s = 0;
    if (sizes[own]! > 0) {
      const a = sums[own]! / sizes[own]!;
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
      s = b === Infinity ? 0 : Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
    }
    total += s;
    perCluster[own]!.sum += s;
    perCluster[own]!.n++;
  }
  return {
    mean: sample.length ? total / sample.length : 0,
    byCluster: perCluster.map((c) => (c.n ? c.sum / c.n : 0)),
  };
}

/** Capitalises the first letter: "rota gaps" -> "Rota gaps". */
const sentenceCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function suggestThemes(input: SuggestThemesInput, hooks: EngineHooks = {}): SuggestThemesResult {
  const stop = () => hooks.cancelled?.() ?? false;
  const seed = input.seed ?? 17;
  hooks.report?.({ stage: 'reading' });

  // Terms per answer, and the document frequency of each term.
  const docs = input.answers.map((a) => ({ responseId: a.responseId, ...termsOf(a.text) }));
  const df = new Map<string, number>();
  const surfaceCounts = new Map<string, Map<string, number>>();
  for (const d of docs) {
    for (const term of d.counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    for (const [term, surface] of d.surfaces) {
      const forms = surfaceCounts.get(term) ?? new Map<string, number>();
      forms.set(surface, (forms.get(surface) ?? 0) + 1);
      surfaceCounts.set(term, forms);
    }
  }
  const n = docs.length;
  // A term in one answer only says nothing shared; one in nearly every answer separates nothing.
  const vocabulary = [...df.entries()]
    .filter(([, f]) => f >= 2 && (n < 10 || f <= 0.6 * n))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_VOCABULARY)
    .map(([t]) => t)
    .sort();
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const idf = vocabulary.map((t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);

  const kept: { responseId: number; vector: SparseVector }[] = [];
  for (const d of docs) {
    const entries: [number, number][] = [];
    for (const [term, count] of d.counts) {
      const i = index.get(term);
      if (i !== undefined) entries.push([i, (1 + Math.log(count)) * idf[i]!]);
    }
    if (entries.length < 2) continue;
    entries.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0));
    kept.push({
      responseId: d.responseId,
      vector: {
        idx: Int32Array.from(entries.map(([i]) => i)),
        val: Float64Array.from(entries.map(([, v]) => v / norm)),
      },
    });
  }
  const empty = { themes: [], analysed: kept.length, k: 0, silhouette: 0, vocabulary: vocabulary.length };
  const minSize = input.minClusterSize ?? Math.max(2, Math.ceil(kept.length * 0.03));
  const maxK = Math.min(input.maxThemes ?? 8, Math.floor(kept.length / 2));
  if (maxK < 2 || stop()) return empty;

  const dense = kept.map(({ vector }) => {
    const row = new Array<number>(vocabulary.length).fill(0);
    for (let j = 0; j < vector.idx.length; j++) row[vector.idx[j]!] = vector.val[j]!;
    return row;
  });
  const rand = random(seed);
  const all = kept.map((_, i) => i);
  const sample =
    all.length <= SILHOUETTE_SAMPLE
      ? all
      : all
          .map((i) => [rand(), i] as const)
          .sort((a, b) => a[0] - b[0])
          .slice(0, SILHOUETTE_SAMPLE)
          .map(([, i]) => i);

  /** The best of a few k-means runs (lowest inertia), from seeded k-means++ starts. */
  const cluster = (rows: number[][], k: number) => {
    let bestRun: { clusters: number[]; inertia: number } | null = null;
    for (let r = 0; r < RESTARTS; r++) {
      const run = kmeans(rows, k, { initialization: 'kmeans++', seed: seed + r * 7919, maxIterations: 100 });
      const inertia = run.clusters.reduce((s, c, i) => {
        const centroid = run.centroids[c]!;
        let d = 0;
        for (let j = 0; j < centroid.length; j++) d += (rows[i]![j]! - centroid[j]!) ** 2;
        return s + d;
      }, 0);
      if (!bestRun || inertia < bestRun.inertia) bestRun = { clusters: run.clusters, inertia };
    }
    return bestRun!.clusters;
  };

  // k is chosen on the sample (all the answers when there are few), then all are clustered with it.
  const sampleVectors = sample.map((i) => kept[i]!.vector);
  const sampleRows = sample.map((i) => dense[i]!);
  const local = sample.map((_, i) => i);
  let chosen: { k: number; clusters: number[]; mean: number } | null = null;
  for (let k = 2; k <= maxK; k++) {
    if (stop()) return empty;
    hooks.report?.({ stage: 'clustering', tried: k - 1, of: maxK - 1 });
    const clusters = cluster(sampleRows, k);
    const score = silhouette(sampleVectors, clusters, k, local);
    if (!chosen || score.mean > chosen.mean + 1e-9) chosen = { k, clusters, mean: score.mean };
  }
  if (!chosen || stop()) return empty;
  // The sample's clusters seed the run over every answer (their centroids as its starting points).
  const seeded = () => {
    const k = chosen.k;
    const centroids = Array.from({ length: k }, () => new Array<number>(vocabulary.length).fill(0));
    const sizes = new Array<number>(k).fill(0);
    chosen.clusters.forEach((c, i) => {
      sizes[c]!++;
      const row = sampleRows[i]!;
      const centroid = centroids[c]!;
      for (let j = 0; j < row.length; j++) centroid[j]! += row[j]!;
    });
    centroids.forEach((centroid, c) => {
      for (let j = 0; j < centroid.length; j++) centroid[j] = centroid[j]! / Math.max(1, sizes[c]!);
    });
    return kmeans(dense, k, { initialization: centroids, maxIterations: 100 }).clusters;
  };
  const clusters = sample.length === kept.length ? chosen.clusters : seeded();
  const final = silhouette(
    kept.map((d) => d.vector),
    clusters,
    chosen.k,
    sample,
  );
  const best = { k: chosen.k, clusters, mean: final.mean, byCluster: final.byCluster };

  hooks.report?.({ stage: 'labelling' });
  const surfaceOf = (term: string) =>
    [...surfaceCounts.get(term)!.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  const themes: SuggestedTheme[] = [];
  for (let c = 0; c < best.k; c++) {
    const members = all.filter((i) => best.clusters[i] === c);
    if (members.length < minSize) continue;
    // A term labels a cluster when most of its answers use it and few answers elsewhere do.
    const inside = new Map<number, number>();
    for (const i of members) for (const j of kept[i]!.vector.idx) inside.set(j, (inside.get(j) ?? 0) + 1);
    const outsideSize = kept.length - members.length;
    const scored = [...inside.entries()]
      .map(([j, inCount]) => {
        const term = vocabulary[j]!;
        const outCount = df.get(term)! - inCount;
        const share = inCount / members.length;
        const elsewhere = outsideSize ? outCount / outsideSize : 0;
        return { term, weight: (share - elsewhere) * share };
      })
      .filter((t) => t.weight > 0)
      .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
    // A phrase beats the words it is made of ("rota gaps" over "rota" and "gaps") when it is
    // nearly as telling; a word already inside a chosen phrase is not repeated.
    const chosen: { term: string; weight: number }[] = [];
    for (const candidate of scored) {
      const parts = candidate.term.split(' ');
      const overlapping = chosen.filter((c) => c.term.split(' ').some((p) => parts.includes(p)));
      if (!overlapping.length) {
        if (chosen.length < 5) chosen.push(candidate);
        continue;
      }
      const phraseOverWords =
        parts.length === 2 &&
        overlapping.every((c) => !c.term.includes(' ') && candidate.weight >= 0.5 * c.weight);
      if (!phraseOverWords) continue;
      const at = chosen.indexOf(overlapping[0]!);
      chosen.splice(at, 1, candidate);
      for (const c of overlapping.slice(1)) chosen.splice(chosen.indexOf(c), 1);
    }
    if (!chosen.length) continue;
    const keyphrases = chosen.map((c) => surfaceOf(c.term));
    themes.push({
      label: sentenceCase(keyphrases.slice(0, 2).join(' and ')),
      keyphrases,
      responseIds: members.map((i) => kept[i]!.responseId).sort((a, b) => a - b),
      score: Math.round(best.byCluster[c]! * 1000) / 1000,
    });
  }
  themes.sort((a, b) => b.responseIds.length - a.responseIds.length || b.score - a.score);
  return {
    themes,
    analysed: kept.length,
    k: best.k,
    silhouette: Math.round(best.mean * 1000) / 1000,
    vocabulary: vocabulary.length,
  };
}
