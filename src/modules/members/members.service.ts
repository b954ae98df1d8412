import type { DB } from '../../db/database.ts';
import { isNational } from '../../platform/permissions.ts';
import { createDirectory } from './members.directory.ts';
import { createErasureRequests } from './members.erasure-requests.ts';
import { createOrganisations } from './members.organisations.ts';
import { isStaffFor } from './members.privacy.ts';
import { createProfiles } from './members.profile.ts';
import { createProjectsAndPhotos } from './members.projects-photos.ts';
import { createReferenceLists } from './members.reference-lists.ts';
import { STATUS_LABELS } from './members.schemas.ts';
import type { MembershipStatus } from './members.table.ts';

export { DIRECTORY_PAGE_SIZE, type DirectoryRow } from './members.directory.ts';
export { presentProfile, type ProfileView } from './members.profile.ts';
export { createMemberProfile, type CreateMemberProfileInput } from './members.profile-creation.ts';
export { professionLabel } from './members.shared.ts';

/**
 * Members, composed from its sections: profiles (members.profile.ts; the one way a profile is made
 * is createMemberProfile, members.profile-creation.ts), projects and photos
 * (members.projects-photos.ts), the directory (members.directory.ts), regions and specialties
 * (members.reference-lists.ts), organisations (members.organisations.ts) and erasure requests
 * (members.erasure-requests.ts); privacy rules are in members.privacy.ts and the SQL lives in
 * members.repository.ts.
 */
export function createMembersService(deps: { db: DB }) {
  const { db } = deps;
  const profiles = createProfiles({ db });
  const { specialtiesList, regionsList, ...referenceLists } = createReferenceLists({ db });
  const { ensureOwnProfile, viewerOf } = profiles;
  return {
    ...profiles,
    ...createProjectsAndPhotos({ db, ensureOwnProfile, viewerOf }),
    ...createDirectory({ db, viewerOf, lists: { specialtiesList, regionsList } }),
    ...referenceLists,
    ...createOrganisations({ db }),
    ...createErasureRequests({ db }),
    isNational,
    isStaffFor,
    statusLabel: (s: MembershipStatus) => STATUS_LABELS[s],
  };
}
export type MembersService = ReturnType<typeof createMembersService>;
