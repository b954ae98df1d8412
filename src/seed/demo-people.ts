/** Names for demo people: a fixed list, so a demo network looks the same on every machine. */
export const FIRST_NAMES = [
  'Aisha',
  'Ben',
  'Chloe',
  'Daniel',
  'Emma',
  'Farah',
  'George',
  'Hannah',
  'Imran',
  'Jess',
  'Kwame',
  'Laura',
  'Mohammed',
  'Nia',
  'Oliver',
  'Priya',
  'Rachel',
  'Samuel',
  'Tariq',
  'Una',
  'Victoria',
  'William',
  'Yasmin',
  'Zoe',
  'Amir',
  'Bethan',
  'Callum',
  'Deepa',
  'Ewan',
  'Fiona',
  'Grace',
  'Harjit',
  'Isla',
  'James',
  'Kiran',
  'Lucy',
];
export const LAST_NAMES = [
  'Adeyemi',
  'Brown',
  'Chen',
  'Davies',
  'Evans',
  'Fletcher',
  'Gupta',
  'Hughes',
  'Iqbal',
  'Jones',
  'Khan',
  'Lewis',
  'Mensah',
  'Nowak',
  "O'Brien",
  'Patel',
  'Quinn',
  'Roberts',
  'Singh',
  'Thomas',
  'Usman',
  'Varma',
  'Walker',
  'Young',
];

/** A small deterministic generator (mulberry32) so the demo is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
