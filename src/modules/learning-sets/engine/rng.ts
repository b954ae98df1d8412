/** A seeded pseudo-random source returning floats in [0, 1). */
export type Rng = () => number;

/**
 * Creates a mulberry32 generator. Own PRNG rather than Math.random so that a seed reproduces a
 * run exactly, on every platform and Node version.
 */
export function createRng(seed: number): Rng {
  // Scramble the seed first so that neighbouring seeds (1, 2, 3) start far apart.
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws an integer in [0, bound). */
export function randomInt(rng: Rng, bound: number): number {
  return Math.floor(rng() * bound);
}

/** Shuffles `values` in place (Fisher-Yates). */
export function shuffleInPlace(rng: Rng, values: Int32Array | number[]): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
}
