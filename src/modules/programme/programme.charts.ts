import type { Dashboard } from './programme.service.ts';

/** Server-rendered SVG charts. Each is paired with a table on the page; the SVG is decorative for screen readers. */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BLUE = '#005eb8';
const GREY = '#d8dde0';
const DARK = '#212b32';
const RED = '#d5281b';
const GREEN = '#007f3b';

function svg(width: number, height: number, title: string, body: string): string {
  return (
    `<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}. The same figures are in the table that follows." focusable="false">` +
    `<title>${esc(title)}</title>${body}</svg>`
  );
}

/** Recruited against target for each region: a grey bar for the target, a blue one for those recruited. */
export function recruitmentChart(d: Dashboard): string {
  const rows = d.regions;
  const labelW = 190;
  const barW = 420;
  const rowH = 30;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.target, r.recruited)));
  const scale = (v: number) => (v / max) * barW;
  let body = '';
  rows.forEach((r, i) => {
    const y = 10 + i * rowH;
    body +=
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" font-size="14" fill="${DARK}">${esc(r.name)}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${scale(r.target).toFixed(1)}" height="18" fill="${GREY}"></rect>` +
      `<rect x="${labelW}" y="${y + 6}" width="${scale(r.recruited).toFixed(1)}" height="10" fill="${BLUE}"></rect>` +
      `<text x="${labelW + Math.max(scale(r.target), scale(r.recruited)) + 6}" y="${y + 15}" font-size="13" fill="${DARK}">${r.recruited} of ${r.target} (${Math.round(r.recruitedPercent * 100)}%)</text>`;
  });
  const h = 20 + rows.length * rowH + 24;
  body +=
    `<rect x="${labelW}" y="${h - 20}" width="14" height="14" fill="${GREY}"></rect><text x="${labelW + 20}" y="${h - 9}" font-size="13" fill="${DARK}">Target</text>` +
    `<rect x="${labelW + 90}" y="${h - 16}" width="14" height="8" fill="${BLUE}"></rect><text x="${labelW + 110}" y="${h - 9}" font-size="13" fill="${DARK}">Recruited</text>`;
  return svg(labelW + barW + 140, h, 'Clinicians recruited against target by region', body);
}

const monthLabel = new Intl.DateTimeFormat('en-GB', { month: 'short', year: '2-digit', timeZone: 'UTC' });
const moneyFormat = new Intl.NumberFormat('en-GB');

function dayNumber(date: string): number {
  return Math.round(new Date(`${date}T12:00:00Z`).getTime() / 86_400_000);
}

/** Each region's first event: the target date (open diamond) against the actual one (filled circle), on one time line. */
export function timelineChart(d: Dashboard): string {
  const rows = d.regions.filter((r) => r.firstEvent.target || r.firstEvent.actual || r.goLive.target);
  const dates = rows
    .flatMap((r) => [r.firstEvent.target, r.firstEvent.actual, r.goLive.target, r.goLive.actual])
    .filter(Boolean) as string[];
  dates.push(d.asOf);
  const min = Math.min(...dates.map(dayNumber)) - 15;
  const max = Math.max(...dates.map(dayNumber)) + 15;
  const labelW = 190;
  const w = 480;
  const rowH = 30;
  const x = (date: string) => labelW + ((dayNumber(date) - min) / Math.max(1, max - min)) * w;
  let body = '';
  // Month ticks.
  const start = new Date((min + 1) * 86_400_000);
  for (
    let m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    dayNumber(m.toISOString().slice(0, 10)) < max;
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))
  ) {
    const iso = m.toISOString().slice(0, 10);
    const label = monthLabel.format(m);
    body += `<line x1="${x(iso).toFixed(1)}" y1="4" x2="${x(iso).toFixed(1)}" y2="${10 + rows.length * rowH}" stroke="${GREY}"></line><text x="${x(iso).toFixed(1)}" y="${24 + rows.length * rowH}" font-size="12" text-anchor="middle" fill="${DARK}">${esc(label)}</text>`;
  }
  body += `<line x1="${x(d.asOf).toFixed(1)}" y1="0" x2="${x(d.asOf).toFixed(1)}" y2="${10 + rows.length * rowH}" stroke="${DARK}" stroke-dasharray="4 3"></line>`;
  rows.forEach((r, i) => {
    const y = 10 + i * rowH + 12;
    const late = r.firstEvent.state === 'late' || r.firstEvent.state === 'done-late';
    body += `<text x="${labelW - 8}" y="${y + 4}" text-anchor="end" font-size="14" fill="${DARK}">${esc(r.name)}</text>`;
    if (r.firstEvent.target) {
      const tx = x(r.firstEvent.target);
      body += `<path d="M ${tx} ${y - 7} L ${tx + 7} ${y} L ${tx} ${y + 7} L ${tx - 7} ${y} Z" fill="#ffffff" stroke="${DARK}" stroke-width="2"></path>`;
    }
    const end = r.firstEvent.actual ?? (r.firstEvent.state === 'late' ? d.asOf : null);
    if (r.firstEvent.target && end && late) {
      body += `<line x1="${x(r.firstEvent.target)}" y1="${y}" x2="${x(end)}" y2="${y}" stroke="${RED}" stroke-width="3"></line>`;
    }
    if (r.firstEvent.actual)
      body += `<circle cx="${x(r.firstEvent.actual)}" cy="${y}" r="6" fill="${late ? RED : GREEN}"></circle>`;
  });
  const h = 40 + rows.length * rowH + 10;
  body +=
    `<path d="M ${labelW + 7} ${h - 16} l 7 7 l -7 7 l -7 -7 Z" fill="#ffffff" stroke="${DARK}" stroke-width="2"></path><text x="${labelW + 20}" y="${h - 5}" font-size="13" fill="${DARK}">Target first event</text>` +
    `<circle cx="${labelW + 160}" cy="${h - 9}" r="6" fill="${GREEN}"></circle><text x="${labelW + 172}" y="${h - 5}" font-size="13" fill="${DARK}">Held on time</text>` +
    `<line x1="${labelW + 270}" y1="${h - 9}" x2="${labelW + 295}" y2="${h - 9}" stroke="${RED}" stroke-width="3"></line><text x="${labelW + 300}" y="${h - 5}" font-size="13" fill="${DARK}">Late (dashed line: today)</text>`;
  return svg(labelW + w + 40, h, 'First event: target date against actual date by region', body);
}

/** DH funding per region: allocated (grey), received (light blue) and spent (dark blue). */
export function fundingChart(d: Dashboard): string {
  const rows = d.regions;
  const labelW = 190;
  const barW = 400;
  const rowH = 34;
  const max = Math.max(1, ...rows.map((r) => r.funding.allocated));
  const scale = (v: number) => (v / max) * barW;
  const money = (v: number) => `£${moneyFormat.format(Math.round(v))}`;
  let body = '';
  rows.forEach((r, i) => {
    const y = 10 + i * rowH;
    body +=
      `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" font-size="14" fill="${DARK}">${esc(r.name)}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${scale(r.funding.allocated).toFixed(1)}" height="22" fill="${GREY}"></rect>` +
      `<rect x="${labelW}" y="${y + 6}" width="${scale(r.funding.received).toFixed(1)}" height="14" fill="#41b6e6"></rect>` +
      `<rect x="${labelW}" y="${y + 10}" width="${scale(r.funding.spent).toFixed(1)}" height="6" fill="${BLUE}"></rect>` +
      `<text x="${labelW + scale(r.funding.allocated) + 6}" y="${y + 16}" font-size="13" fill="${DARK}">${money(r.funding.spent)} spent of ${money(r.funding.allocated)}</text>`;
  });
  const h = 20 + rows.length * rowH + 24;
  body +=
    `<rect x="${labelW}" y="${h - 20}" width="14" height="14" fill="${GREY}"></rect><text x="${labelW + 20}" y="${h - 9}" font-size="13" fill="${DARK}">Allocated</text>` +
    `<rect x="${labelW + 100}" y="${h - 20}" width="14" height="14" fill="#41b6e6"></rect><text x="${labelW + 120}" y="${h - 9}" font-size="13" fill="${DARK}">Received</text>` +
    `<rect x="${labelW + 200}" y="${h - 16}" width="14" height="6" fill="${BLUE}"></rect><text x="${labelW + 220}" y="${h - 9}" font-size="13" fill="${DARK}">Spent</text>`;
  return svg(labelW + barW + 200, h, 'DH funding allocated, received and spent by region', body);
}
