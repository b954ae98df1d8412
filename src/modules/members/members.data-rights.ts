import { addToSubject, type DataRightsContributor, erasedLabel } from '../../platform/data-rights.ts';
import * as repo from './members.data-rights.repository.ts';

/** Members: the profile, photo, projects, employment history and erasure requests. */
export const membersDataRights: DataRightsContributor = {
  module: 'members',
  title: 'Your member profile',
  personalColumns: {
    member_profiles: [
      'name',
      'registration_number',
      'job_title',
      'interests',
      'expertise',
      'leadership_roles',
      'biography',
      'contact_email',
      'contact_phone',
      'search_network',
      'search_region',
      'search_staff',
    ],
    member_projects: ['title', 'summary'],
    member_photos: ['data'],
    employment_history: ['job_title'],
    erasure_requests: ['reason', 'decision_note'],
  },
  async describe(db, subject) {
    const p = await repo.findProfileIdentity(db, subject.userId);
    if (p)
      addToSubject(subject, {
        names: [p.name],
        emails: [p.contact_email],
        registrationNumbers: [p.registration_number],
      });
    for (const r of await repo.listErasureRequests(db, subject.userId))
      addToSubject(subject, { entities: [{ type: 'erasure_request', id: r.id }] });
  },
  async exportFor(db, subject) {
    const [profile, photo, projects, employment, erasure] = await Promise.all([
      repo.findProfileForExport(db, subject.userId),
      repo.findPhoto(db, subject.userId),
      repo.listProjects(db, subject.userId),
      repo.listEmployment(db, subject.userId),
      repo.listErasureRequests(db, subject.userId),
    ]);
    return [
      { key: 'profile', title: 'Profile', records: profile ? [profile] : [] },
      {
        key: 'photo',
        title: 'Photo',
        records: photo
          ? [
              {
                contentType: photo.content_type,
                updatedAt: photo.updated_at,
                base64: photo.data.toString('base64'),
              },
            ]
          : [],
      },
      { key: 'projects', title: 'Projects', records: projects },
      { key: 'employmentHistory', title: 'Employment history', records: employment },
      {
        key: 'erasureRequests',
        title: 'Requests to erase your data',
        records: erasure.map(({ id: _id, ...r }) => r),
      },
    ];
  },
  async erase(trx, subject) {
    await repo.deleteMemberRecords(trx, subject.userId);
    await repo.anonymiseProfile(trx, subject.userId, erasedLabel(subject.userId));
  },
};
