import { type Actor, hasRole, isNational, type RoleGrant } from '../../platform/permissions.ts';
import type { Visibility } from './members.table.ts';

/**
 * Who is looking, reduced to what privacy needs: the national team sees everything; a regional
 * lead or facilitator is staff for their regions; anyone else sees sections shared with the whole
 * network, and sections shared with a region when it is their own.
 */
export type Viewer = {
  userId: number | null;
  national: boolean;
  staffRegions: string[];
  ownRegions: string[];
};

export const SYSTEM_VIEWER: Viewer = { userId: null, national: true, staffRegions: [], ownRegions: [] };

export function viewerFor(actor: Pick<Actor, 'userId' | 'roles'>, profileRegion?: string | null): Viewer {
  const roles: RoleGrant[] = actor.roles;
  const staffRegions = [
    ...new Set(
      roles
        .filter((g) => (g.role === 'regional-lead' || g.role === 'facilitator') && g.regionCode)
        .map((g) => g.regionCode!),
    ),
  ];
  const ownRegions = new Set(roles.filter((g) => g.regionCode).map((g) => g.regionCode!));
  if (profileRegion) ownRegions.add(profileRegion);
  return { userId: actor.userId, national: isNational(actor), staffRegions, ownRegions: [...ownRegions] };
}

const RANK: Record<Visibility, number> = { network: 0, region: 1, staff: 2 };

/** The widest audience the viewer belongs to for a member of this region. */
export function audienceOf(viewer: Viewer, member: { userId: number; regionCode: string }): Visibility {
  if (viewer.national || viewer.userId === member.userId || viewer.staffRegions.includes(member.regionCode))
    return 'staff';
  if (viewer.ownRegions.includes(member.regionCode)) return 'region';
  return 'network';
}

export function canSee(audience: Visibility, visibility: Visibility): boolean {
  return RANK[audience] >= RANK[visibility];
}

/** True when the viewer is staff for this member and not the member: such views are audited. */
export function isStaffView(viewer: Viewer, member: { userId: number; regionCode: string }): boolean {
  return viewer.userId !== member.userId && audienceOf(viewer, member) === 'staff';
}

export function isStaffFor(actor: Pick<Actor, 'roles'>, regionCode: string): boolean {
  return (
    isNational(actor) ||
    hasRole(actor, 'regional-lead', regionCode) ||
    hasRole(actor, 'facilitator', regionCode)
  );
}
