import { describe, expect, it } from 'vitest';
import { suggestThemes } from './index.ts';
import { FRONT_DOOR_ANSWERS } from './test-support/front-door-answers.ts';

const corpus = FRONT_DOOR_ANSWERS.map((text, i) => ({ responseId: 100 + i, text }));

describe('suggesting themes from answer text', () => {
  it('finds the three topics among thirty answers, labelled in the words people wrote', () => {
    const result = suggestThemes({ answers: corpus });
    expect(result.k).toBe(3);
    expect(result.themes).toHaveLength(3);
    const byTopic = (ids: number[]) => result.themes.find((t) => t.responseIds.includes(ids[0]!))!;
    const staffing = byTopic([100]);
    const handover = byTopic([110]);
    const records = byTopic([120]);
    expect(new Set([staffing, handover, records]).size).toBe(3);
    expect(staffing.responseIds).toEqual(corpus.slice(0, 10).map((a) => a.responseId));
    expect(handover.responseIds).toEqual(corpus.slice(10, 20).map((a) => a.responseId));
    expect(records.responseIds).toEqual(corpus.slice(20, 30).map((a) => a.responseId));
    expect(staffing.keyphrases.join(' | ')).toMatch(/rota gaps|agency staff|staffing levels/);
    expect(handover.keyphrases.join(' | ')).toMatch(/ambulance handover|handover delays|corridor care/);
    expect(records.keyphrases.join(' | ')).toMatch(/gp record|patient record|shared care|it systems/);
    // Surface forms, not stems.
    for (const t of result.themes)
      for (const p of t.keyphrases) expect(p).not.toMatch(/\b(staf|delai|recor)\b/);
    expect(result.silhouette).toBeGreaterThan(0.1);
  });

  it('is repeatable, and leaves out answers too short to compare', () => {
    const withShort = [...corpus, { responseId: 999, text: 'No.' }, { responseId: 998, text: '' }];
    const a = suggestThemes({ answers: withShort });
    const b = suggestThemes({ answers: withShort });
    expect(a).toEqual(b);
    expect(a.analysed).toBe(30);
    expect(a.themes.flatMap((t) => t.responseIds)).not.toContain(999);
  });

  it('suggests nothing from too few answers, and stops when cancelled', () => {
    expect(suggestThemes({ answers: corpus.slice(0, 3) }).themes).toEqual([]);
    expect(suggestThemes({ answers: corpus }, { cancelled: () => true }).themes).toEqual([]);
  });
});
