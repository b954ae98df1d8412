import type { DB } from '../../db/database.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { type Actor, regionsWhere, requireRole } from '../../platform/permissions.ts';
import * as totals from './development.profile-totals.ts';
import type * as repo from './development.repository.ts';
import { round2 } from './development.shared.ts';
import type { Versions } from './development.versions.ts';

/** Fewer people than this behind a regional or national figure: the figure is not shown. */
export const MIN_PEOPLE = 5;

/** Regional and national competency profiles, for the national team and regional leads. */
export function createProfiles(deps: { db: DB; versions: Versions }) {
  const { db } = deps;
  const { loadVersion, defaultProfileVersion, regionsList } = deps.versions;

  /** The figures, kept on write in the profile totals tables (development.profile-totals.ts). */
  async function profileFigures(vid: number) {
    const [regions, figures, published, live] = await Promise.all([
      regionsList.get(),
      totals.selectProfileTotals(db, vid, true),
      totals.selectProfilePeopleTotals(db, vid, true),
      totals.selectProfilePeopleTotals(db, vid),
    ]);
    // A scope never published yet has fewer than 5 people: it shows "fewer than 5" (or 0), never a figure.
    const people = [
      ...published,
      ...live
        .filter(
          (l) =>
            !published.some(
              (p) => p.kind === l.kind && p.is_national === l.is_national && p.region_code === l.region_code,
            ),
        )
        .map((l) => ({ ...l, people: Math.min(l.people, MIN_PEOPLE - 1) })),
    ];
    const of = (kind: string, level: string) => figures.filter((f) => f.kind === kind && f.level === level);
    return [
      regions,
      of('self', 'element'),
      of('self', 'domain'),
      of('raters', 'element'),
      of('raters', 'domain'),
      people,
    ] as const;
  }

  /**
   * Competency profiles by region and nationally, from self and 360 ratings. A figure resting on
   * fewer than MIN_PEOPLE people is withheld, and while the figures a reader cannot see (withheld,
   * without a region, other regions) rest on 1 to 4 people in all, the smallest region shown is
   * withheld too, so they cannot be worked out from the national figure.
   * National team: every region; a regional lead: their own region(s) and the national profile.
   * The figures are the published snapshot: a scope's figures change only once at least
   * PUBLISH_AFTER_MEMBERS different members have contributed since its last snapshot.
   */
  async function getProfiles(actor: Actor, versionId?: number) {
    requireRole(actor, ['regional-lead']);
    const scope = regionsWhere(actor, 'regional-lead');
    let vid = versionId;
    if (vid === undefined) {
      vid = await defaultProfileVersion.get();
      if (vid === undefined) throw new NotFoundError('No leadership framework has been set up yet');
    }
    const version = await loadVersion(db, vid);
    const [regions, selfEl, selfDom, ratEl, ratDom, people] = await profileFigures(vid);
    const visibleRegions = regions.filter((r) => scope === 'all' || scope.includes(r.code));

    type Cell = { people: number | null; mean: number | null; suppressed: boolean };
    const key = (region: string | null, national: boolean, item: number) =>
      `${national ? '*' : region}|${item}`;
    const count = (region: string | null, national: boolean, kind: string) => {
      const r = people.find(
        (p) => p.kind === kind && p.is_national === national && (national || p.region_code === region),
      );
      const n = r?.people ?? 0;
      return n > 0 && n < MIN_PEOPLE ? null : n;
    };
    const shownRegions = new Set(visibleRegions.map((r) => r.code));
    const index = (rows: repo.ProfileFigure[], kind: string) => {
      const m = new Map<string, repo.ProfileFigure>();
      for (const r of rows) m.set(key(r.region_code, r.is_national, r.item_id), r);
      // Secondary suppression per item. The national figure is the sum of the regional ones (and of
      // ratings without a region), so the national figure minus the regional figures shown gives the
      // figures not shown taken together: withheld (under 5), without a region, or of regions this
      // reader does not see. While those rest on 1 to 4 people, the smallest shown region is
      // withheld too.
      const withheld = new Set<string>();
      const items = new Set(rows.map((r) => r.item_id));
      for (const item of items) {
        const regional = rows.filter((r) => !r.is_national && r.item_id === item);
        const shown = regional
          .filter((r) => r.region_code !== null && shownRegions.has(r.region_code) && r.people >= MIN_PEOPLE)
          .sort((a, b) => a.people - b.people);
        let hidden = regional.reduce((n, r) => n + r.people, 0) - shown.reduce((n, r) => n + r.people, 0);
        while (hidden > 0 && hidden < MIN_PEOPLE && shown.length) {
          const next = shown.shift()!;
          withheld.add(key(next.region_code, false, item));
          hidden += next.people;
        }
      }
      return (region: string | null, national: boolean, item: number): Cell => {
        const k = key(region, national, item);
        const r = m.get(k);
        if (!r)
          return count(region, national, kind) === null
            ? { people: null, mean: null, suppressed: true }
            : { people: 0, mean: null, suppressed: false };
        if (r.people < MIN_PEOPLE || withheld.has(k)) return { people: null, mean: null, suppressed: true };
        return { people: r.people, mean: round2(r.mean), suppressed: false };
      };
    };
    const selfE = index(selfEl, 'self');
    const selfD = index(selfDom, 'self');
    const ratE = index(ratEl, 'raters');
    const ratD = index(ratDom, 'raters');
    const row = (regionCode: string | null, name: string) => {
      const national = regionCode === null;
      return {
        scope: national ? 'national' : regionCode!,
        name,
        selfPeople: count(regionCode, national, 'self'),
        raterPeople: count(regionCode, national, 'raters'),
        domains: version.domains.map((d) => ({
          domainId: d.id,
          name: d.name,
          self: selfD(regionCode, national, d.id),
          raters: ratD(regionCode, national, d.id),
        })),
        elements: version.domains.flatMap((d) =>
          d.elements.map((e) => ({
            elementId: e.id,
            name: e.name,
            self: selfE(regionCode, national, e.id),
            raters: ratE(regionCode, national, e.id),
          })),
        ),
      };
    };
    return {
      versionId: version.id,
      version,
      framework: `${version.frameworkName} (version ${version.versionNumber})`,
      minimumPeople: MIN_PEOPLE,
      publishAfterMembers: totals.PUBLISH_AFTER_MEMBERS,
      rows: [row(null, 'England (all regions)'), ...visibleRegions.map((r) => row(r.code, r.name))],
    };
  }

  return { getProfiles };
}
