import { describe, expect, it } from 'vitest';
import { analyseRunChart, chartGeometry, findShifts, findTrends, median } from './run-chart.ts';

const pts = (values: number[]) =>
  values.map((value, i) => ({ date: `2026-01-${String(i + 1).padStart(2, '0')}`, value }));

describe('run chart rules', () => {
  it('takes the median of odd and even counts, and none of nothing', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('finds a shift of six points on one side, skipping points on the median', () => {
    // median 5; six points below (one on the median between them does not break the run)
    const values = [8, 8, 8, 8, 5, 5, 5, 2, 2, 5, 2, 2, 2, 2];
    const shifts = findShifts(values, median(values));
    expect(shifts).toEqual([{ kind: 'shift', from: 7, to: 13, direction: 'down' }]);
    expect(findShifts([1, 1, 1, 1, 1, 9, 9, 9, 9, 9], 5)).toEqual([]);
  });

  it('finds a trend of five rising or falling points; a repeated value neither makes nor breaks it', () => {
    expect(findTrends([1, 2, 3, 4, 5])).toEqual([{ kind: 'trend', from: 0, to: 4, direction: 'up' }]);
    expect(findTrends([1, 2, 3, 4])).toEqual([]);
    expect(findTrends([9, 8, 8, 7, 6, 5])).toEqual([{ kind: 'trend', from: 0, to: 5, direction: 'down' }]);
    expect(findTrends([1, 3, 2, 4, 3, 5])).toEqual([]);
  });

  it('describes what it found and draws each point inside the plot', () => {
    const points = pts([10, 11, 12, 13, 14, 3, 3, 3]);
    const chart = analyseRunChart(points);
    expect(chart.median).toBe(10.5);
    expect(chart.findings[0]).toMatch(/A trend: 5 points in a row going up, 2026-01-01 to 2026-01-05/);
    const g = chartGeometry(points, chart);
    expect(g.points).toHaveLength(8);
    for (const p of g.points) {
      expect(p.x).toBeGreaterThanOrEqual(g.plot.left);
      expect(p.x).toBeLessThanOrEqual(g.plot.right);
      expect(p.y).toBeGreaterThanOrEqual(g.plot.top);
      expect(p.y).toBeLessThanOrEqual(g.plot.bottom);
    }
    expect(g.points.slice(0, 5).every((p) => p.signal)).toBe(true);
    expect(g.medianY).not.toBeNull();
  });

  it('draws one point, or none, without dividing by zero', () => {
    const one = pts([4]);
    expect(chartGeometry(one, analyseRunChart(one)).points[0]!.y).toBeGreaterThan(0);
    expect(chartGeometry([], analyseRunChart([])).line).toBe('');
  });
});
