import { developmentDataRights } from './modules/development/index.ts';
import { learningSetsDataRights } from './modules/learning-sets/index.ts';
import { membersDataRights } from './modules/members/index.ts';
import { mentoringDataRights } from './modules/mentoring/index.ts';
import { programmeDataRights } from './modules/programme/index.ts';
import { recruitmentDataRights } from './modules/recruitment/index.ts';
import { accountsDataRights } from './platform/accounts/accounts.data-rights.ts';
import { auditDataRights, outboxDataRights } from './platform/audit.data-rights.ts';
import type { DataRightsContributor } from './platform/data-rights.ts';

/**
 * Every module's data-rights contributor, in one place and in erasure order: the modules that keep
 * records about the person first, then their profile, then their account, and last the outbox and
 * the audit log (which search their own text for the names the others held). The download shows
 * them in the same order. A module that holds personal data and is not listed here fails the
 * coverage test (`src/data-rights.test.ts`).
 */
export const DATA_RIGHTS_CONTRIBUTORS: readonly DataRightsContributor[] = [
  recruitmentDataRights,
  programmeDataRights,
  developmentDataRights,
  learningSetsDataRights,
  mentoringDataRights,
  membersDataRights,
  accountsDataRights,
  outboxDataRights,
  auditDataRights,
];

/**
 * Columns of a personal kind (text, jsonb, bytea, inet, arrays, tsvector) that hold no personal
 * data, each with the reason. `table.column` -> why. The coverage test fails on a personal-kind
 * column in neither this list nor a contributor's `personalColumns`, on an entry here that no longer
 * exists, and on an entry here that a contributor also lists as personal.
 */
export const NOT_PERSONAL_COLUMNS: Readonly<Record<string, string>> = {
  // Platform
  'app_settings.key': 'application settings (cookie secret, flags), about no one',
  'app_settings.value': 'application settings, about no one',
  'audit_log.action': 'a code naming what was done',
  'audit_log.entity_type': 'a code naming the kind of record',
  'audit_log.entity_id': 'a record number',
  'audit_log.request_id': 'a random request id',
  'outbox.kind': 'a code naming the kind of email',
  'outbox.status': 'delivery state',
  'password_reset_tokens.purpose': 'a code (reset or invitation)',
  'role_assignments.role': 'a role code',
  'role_assignments.region_code': 'a region code',
  'scheduled_tasks.name': 'a task name',
  'scheduled_tasks.last_error': 'a task error, about no one',
  'schema_migrations.name': 'a migration name',
  'schema_migrations.timestamp': 'when a migration ran',
  'schema_migrations_lock.id': 'the lock row id',
  'setup_tokens.token_hash': 'first-run setup link, before any account exists',
  'organisations.kind': 'NHS reference data (ODS), organisations not people',
  'organisations.ods_code': 'NHS reference data (ODS)',
  'organisations.ons_code': 'NHS reference data (ONS)',
  'organisations.name': 'NHS reference data (ODS)',
  'organisations.sha_code': 'NHS reference data',
  'organisations.postcode': 'an organisation’s site, from ODS',
  'organisations.town': 'an organisation’s site, from ODS',
  'organisations.notes': 'staff notes about an organisation (mergers)',
  // Programme
  'contract_lines.region_code': 'a region code',
  'contract_lines.kind': 'a code',
  'funding_allocations.region_code': 'a region code',
  'funding_allocations.reference': 'a payment reference of a region',
  'funding_spend.region_code': 'a region code',
  'funding_spend.description': 'what a region spent on',
  'intakes.region_code': 'a region code',
  'intakes.name': 'a cohort’s name, like 2026/27',
  'intakes.status': 'a state',
  'network_partners.role': 'an organisation’s role in the network',
  'network_partners.description': 'an organisation’s role in the network',
  'network_regions.code': 'a region code',
  'network_regions.name': 'a region’s name',
  'network_regions.phase_key': 'a rollout phase code',
  'network_regions.status': 'a state',
  'readiness_items.key': 'a readiness checklist code',
  'readiness_items.label': 'a readiness checklist item',
  'region_readiness.region_code': 'a region code',
  'region_readiness.item_key': 'a readiness checklist code',
  'region_readiness.note': 'a note on a region’s readiness, by staff',
  'rollout_phases.key': 'a rollout phase code',
  'rollout_phases.name': 'a rollout phase',
  'rollout_phases.description': 'a rollout phase',
  // Recruitment
  'application_counts.region_code': 'a count by region, no person',
  'application_counts.status': 'a count by status, no person',
  'application_counts.profession': 'a count by profession, no person',
  'applications.reference': 'a random application reference (kept so counts and decisions stay traceable)',
  'applications.region_code': 'a region code',
  'applications.status': 'a state',
  'applications.profession': 'a profession code (kept for counts)',
  'applications.register': 'a register code (GMC, NMC...)',
  'applications.employer_ods_code': 'an organisation’s code (kept for counts by employer)',
  'applications.privacy_notice_version': 'a version number',
  'applications.source': 'a code (web or import)',
  'endorsements.status': 'a state',
  'quota_requests.region_code': 'a region code',
  'quota_requests.status': 'a state',
  // Members
  'erasure_requests.status': 'a state',
  'member_photos.content_type': 'an image format',
  'member_profiles.profession': 'a profession code (kept for counts)',
  'member_profiles.region_code': 'a region code (kept for counts)',
  'member_profiles.preferred_contact': 'a code',
  'member_profiles.status': 'a membership state',
  'member_profiles.visibility_profile': 'a privacy setting',
  'member_profiles.visibility_contact': 'a privacy setting',
  'member_profiles.visibility_professional': 'a privacy setting',
  'member_profiles.visibility_interests': 'a privacy setting',
  'member_profiles.visibility_projects': 'a privacy setting',
  'member_profiles.visibility_biography': 'a privacy setting',
  'member_profiles.visibility_photo': 'a privacy setting',
  'member_projects.stage': 'a code',
  'specialties.profession': 'reference list of specialties',
  'specialties.name': 'reference list of specialties',
  // Development
  'dev_domains.name': 'a competency framework’s content',
  'dev_elements.name': 'a competency framework’s content',
  'dev_elements.description': 'a competency framework’s content',
  'dev_feedback_responses.rater_group': 'a code (manager, peer, ...)',
  'dev_feedback_rounds.region_code': 'a region code',
  'dev_framework_choices.scope': 'a code',
  'dev_framework_choices.scope_key': 'a region or network code',
  'dev_framework_versions.edition': 'a framework edition',
  'dev_framework_versions.note': 'a note on a framework version',
  'dev_frameworks.key': 'a framework code',
  'dev_frameworks.name': 'a framework’s name',
  'dev_frameworks.publisher': 'a framework’s publisher',
  'dev_plan_goals.status': 'a state',
  'dev_plans.region_code': 'a region code',
  'dev_profile_members.kind': 'a code',
  'dev_profile_members.region_code': 'a region code',
  'dev_profile_members.level': 'a code',
  'dev_profile_people.kind': 'a code',
  'dev_profile_people.region_code': 'a region code',
  'dev_profile_totals.kind': 'a code',
  'dev_profile_totals.region_code': 'a region code',
  'dev_profile_totals.level': 'a code',
  'dev_profile_published_totals.kind': 'a code',
  'dev_profile_published_totals.region_code': 'a region code',
  'dev_profile_published_totals.level': 'a code',
  'dev_profile_published_people.kind': 'a code',
  'dev_profile_published_people.region_code': 'a region code',
  'dev_profile_pending.kind': 'a code',
  'dev_profile_pending.region_code': 'a region code',
  'dev_raters.rater_group': 'a code (manager, peer, ...)',
  'dev_scale_points.label': 'a rating scale',
  'dev_scale_points.descriptor': 'a rating scale',
  'dev_self_assessments.region_code': 'a region code',
  // Learning sets
  'ls_actions.status': 'a state',
  'ls_attendance.status': 'a code (present, apologies, absent)',
  'ls_facilitators.region_code': 'a region code',
  'ls_formations.region_code': 'a region code',
  'ls_formations.status': 'a state',
  'ls_region_return_totals.region_code': 'a region code',
  'ls_session_returns.region_code': 'a region code',
  'ls_set_return_totals.region_code': 'a region code',
  'ls_sets.region_code': 'a region code',
  'ls_sets.name': 'a set’s name',
  // Mentoring
  'mentoring_conflicts.kind': 'a code',
  'mentoring_goals.status': 'a state',
  'mentoring_meetings.format': 'a code (online, in person)',
  'mentoring_offers.format': 'a code (online, in person)',
  'mentoring_relationships.region_code': 'a region code',
  'mentoring_relationships.status': 'a state',
  'mentoring_requests.status': 'a state',
  'mentoring_requests.format': 'a code (online, in person)',
  'mentoring_run_adjustments.kind': 'a code',
  'mentoring_runs.region_code': 'a region code',
  'mentoring_runs.status': 'a state',
};
