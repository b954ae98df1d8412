// A run chart, pure: the median of the values, the two run-chart rules used in improvement work
// (a shift: six or more consecutive points all above or all below the median; a trend: five or more
// consecutive points all going up or all going down), and the geometry to draw it as an SVG.
// Points on the median neither make nor break a shift; a value equal to the one before neither
// makes nor breaks a trend (the usual rules of the Institute for Healthcare Improvement).

export const SHIFT_LENGTH = 6;
export const TREND_LENGTH = 5;

export type RunPoint = { date: string; value: number };
export type Signal = { kind: 'shift' | 'trend'; from: number; to: number; direction: 'up' | 'down' };

/** The median of the values (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs of SHIFT_LENGTH or more points on one side of the median, as index ranges of the points. */
export function findShifts(values: readonly number[], centre: number | null): Signal[] {
  if (centre === null) return [];
  const out: Signal[] = [];
  let side: 0 | 1 | -1 = 0;
  let start = -1;
  let last = -1;
  let count = 0;
  const close = () => {
    if (side !== 0 && count >= SHIFT_LENGTH)
      out.push({ kind: 'shift', from: start, to: last, direction: side > 0 ? 'up' : 'down' });
  };
  values.forEach((v, i) => {
    const s = v > centre ? 1 : v < centre ? -1 : 0;
    if (s === 0) return; // on the median: skipped
    if (s === side) {
      count++;
      last = i;
      return;
    }
    close();
    side = s;
    start = i;
    last = i;
    count = 1;
  });
  close();
  return out;
}

/** Runs of TREND_LENGTH or more points each higher (or each lower) than the one before. */
export function findTrends(values: readonly number[]): Signal[] {
  const out: Signal[] = [];
  let direction: 0 | 1 | -1 = 0;
  let start = 0;
  let last = 0;
  let count = 1;
  const close = () => {
    if (direction !== 0 && count >= TREND_LENGTH)
      out.push({ kind: 'trend', from: start, to: last, direction: direction > 0 ? 'up' : 'down' });
  };
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! > values[last]! ? 1 : values[i]! < values[last]! ? -1 : 0;
    if (d === 0) {
      // A repeated value: it neither adds to the run nor breaks it.
      continue;
    }
    if (d === direction) {
      count++;
      last = i;
      continue;
    }
    close();
    // The new run starts at the point the direction turned at.
    direction = d;
    start = last;
    last = i;
    count = 2;
  }
  close();
  return out;
}

export type RunChart = {
  median: number | null;
  signals: Signal[];
  /** Plain words for each signal, for the chart's description and the page. */
  findings: string[];
};

/** The median and the signals of a series of points in date order. */
export function analyseRunChart(points: readonly RunPoint[]): RunChart {
  const values = points.map((p) => p.value);
  const centre = median(values);
  const signals = [...findShifts(values, centre), ...findTrends(values)].sort((a, b) => a.from - b.from);
  const findings = signals.map((s) => {
    const span = `${points[s.from]!.date} to ${points[s.to]!.date}`;
    const n = s.to - s.from + 1;
    return s.kind === 'shift'
      ? `A shift: ${countPoints(points, s)} points in a row ${s.direction === 'up' ? 'above' : 'below'} the median, ${span}`
      : `A trend: ${n} points in a row going ${s.direction}, ${span}`;
  });
  return { median: centre, signals, findings };
}

/** The points of a shift that are off the median (those on it are skipped by the rule). */
function countPoints(points: readonly RunPoint[], s: Signal): number {
  return points.slice(s.from, s.to + 1).length;
}

export type ChartGeometry = {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  points: { x: number; y: number; date: string; value: number; signal: boolean }[];
  /** The polyline through the points, as an SVG `points` attribute. */
  line: string;
  medianY: number | null;
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
};

/** Where to draw each point of the chart: dates spaced by time on x, values scaled on y. */
export function chartGeometry(
  points: readonly RunPoint[],
  chart: RunChart,
  opts: { width?: number; height?: number } = {},
): ChartGeometry {
  const width = opts.width ?? 640;
  const height = opts.height ?? 300;
  const plot = { left: 64, right: width - 16, top: 16, bottom: height - 48 };
  const values = points.map((p) => p.value);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const times = points.map((p) => Date.parse(`${p.date}T00:00:00Z`));
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 1;
  const xOf = (t: number) =>
    t1 === t0 ? (plot.left + plot.right) / 2 : plot.left + ((t - t0) / (t1 - t0)) * (plot.right - plot.left);
  const yOf = (v: number) => plot.bottom - ((v - lo) / (hi - lo)) * (plot.bottom - plot.top);
  const inSignal = new Set<number>();
  for (const s of chart.signals) for (let i = s.from; i <= s.to; i++) inSignal.add(i);
  const drawn = points.map((p, i) => ({
    x: round(xOf(times[i]!)),
    y: round(yOf(p.value)),
    date: p.date,
    value: p.value,
    signal: inSignal.has(i),
  }));
  const yTicks = [0, 1, 2, 3, 4].map((k) => {
    const v = lo + ((hi - lo) * k) / 4;
    return { y: round(yOf(v)), label: formatNumber(v) };
  });
  const xTickIndexes =
    points.length <= 6
      ? points.map((_p, i) => i)
      : [
          0,
          Math.round((points.length - 1) / 3),
          Math.round(((points.length - 1) * 2) / 3),
          points.length - 1,
        ];
  const xTicks = [...new Set(xTickIndexes)].map((i) => ({ x: drawn[i]!.x, label: points[i]!.date }));
  return {
    width,
    height,
    plot,
    points: drawn,
    line: drawn.map((p) => `${p.x},${p.y}`).join(' '),
    medianY: chart.median === null ? null : round(yOf(chart.median)),
    yTicks,
    xTicks,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A number as a person writes it: up to three decimal places, no trailing zeros. */
export function formatNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
