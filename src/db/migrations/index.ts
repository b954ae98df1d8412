import type { Migration } from 'kysely';
import * as m0001 from './2026-11-27-0001-platform.ts';
import * as m0002 from './2026-11-27-0002-reference-structure.ts';
import * as m0003 from './2026-11-27-0003-intakes.ts';
import * as m0004 from './2026-11-27-0004-scheduled-tasks.ts';
import * as m0100 from './2026-11-27-0100-programme.ts';
import * as m0200 from './2026-11-27-0200-recruitment.ts';
import * as m0300 from './2026-11-27-0300-members.ts';
import * as m0400 from './2026-11-27-0400-learning-sets.ts';
import * as m0500 from './2026-11-27-0500-development.ts';
import * as m0600 from './2026-11-27-0600-mentoring.ts';
import * as m0800 from './2026-11-27-0800-bench-indexes.ts';
import * as m0801 from './2026-11-27-0801-summary-counts.ts';
import * as m0802 from './2026-11-27-0802-development-profile-totals.ts';
import * as m0803 from './2026-11-27-0803-region-return-totals.ts';
import * as m0804 from './2026-11-27-0804-region-members-index.ts';
import * as m0805 from './2026-11-27-0805-region-profession-index.ts';
import * as m0806 from './2026-11-27-0806-directory-count-index.ts';
import * as m0807 from './2026-11-27-0807-review-list-order-index.ts';
import * as m0808 from './2026-11-27-0808-offer-expiry.ts';
import * as m20261207_0200 from './2026-12-07-0200-development-profile-snapshots.ts';
import * as m0601 from './2026-11-27-0601-mentoring-plan-goals.ts';
import * as m1207_0100 from './2026-12-07-0100-one-live-application.ts';
import * as m1207_0101 from './2026-12-07-0101-member-registration-index.ts';
import * as m1207_0300 from './2026-12-07-0300-engine-jobs.ts';
import * as m1207_0301 from './2026-12-07-0301-gp-practices.ts';
import * as m1207_0700 from './2026-12-07-0700-policy.ts';
import * as m1207_0710 from './2026-12-07-0710-policy-response-safety-summary.ts';
import * as m1207_0720 from './2026-12-07-0720-policy-questions-indexes.ts';
import * as m1207_0730 from './2026-12-07-0730-policy-analysis.ts';
import * as m1207_0740 from './2026-12-07-0740-policy-outcome-indexes.ts';
import * as m1207_0800 from './2026-12-07-0800-knowledge.ts';
import * as m1208_0100 from './2026-12-08-0100-knowledge-search.ts';
import * as m1208_0110 from './2026-12-08-0110-knowledge-search-newest.ts';
import * as m1208_0330 from './2026-12-08-0330-knowledge-moderation-queue.ts';
import * as m1208_0400 from './2026-12-08-0400-events.ts';

/**
 * Every migration, by name, in the order they apply. Append new ones at the end (never edit or
 * reorder an applied one). A static list, not a folder scan, so the same code runs under tsx,
 * the test runner and the compiled build.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-27-0001-platform': m0001,
  '2026-11-27-0002-reference-structure': m0002,
  '2026-11-27-0003-intakes': m0003,
  '2026-11-27-0004-scheduled-tasks': m0004,
  '2026-11-27-0100-programme': m0100,
  '2026-11-27-0200-recruitment': m0200,
  '2026-11-27-0300-members': m0300,
  '2026-11-27-0500-development': m0500,
  '2026-11-27-0600-mentoring': m0600,
  '2026-11-27-0400-learning-sets': m0400,
  '2026-11-27-0800-bench-indexes': m0800,
  '2026-11-27-0601-mentoring-plan-goals': m0601,
  '2026-11-27-0801-summary-counts': m0801,
  '2026-11-27-0802-development-profile-totals': m0802,
  '2026-11-27-0803-region-return-totals': m0803,
  '2026-11-27-0804-region-members-index': m0804,
  '2026-11-27-0805-region-profession-index': m0805,
  '2026-11-27-0806-directory-count-index': m0806,
  '2026-11-27-0807-review-list-order-index': m0807,
  '2026-11-27-0808-offer-expiry': m0808,
  '2026-12-07-0100-one-live-application': m1207_0100,
  '2026-12-07-0101-member-registration-index': m1207_0101,
  '2026-12-07-0200-development-profile-snapshots': m20261207_0200,
  '2026-12-07-0300-engine-jobs': m1207_0300,
  '2026-12-07-0301-gp-practices': m1207_0301,
  '2026-12-07-0700-policy': m1207_0700,
  '2026-12-07-0710-policy-response-safety-summary': m1207_0710,
  '2026-12-07-0720-policy-questions-indexes': m1207_0720,
  '2026-12-07-0730-policy-analysis': m1207_0730,
  '2026-12-07-0740-policy-outcome-indexes': m1207_0740,
  '2026-12-07-0800-knowledge': m1207_0800,
  '2026-12-08-0100-knowledge-search': m1208_0100,
  '2026-12-08-0110-knowledge-search-newest': m1208_0110,
  '2026-12-08-0330-knowledge-moderation-queue': m1208_0330,
  '2026-12-08-0400-events': m1208_0400,
};
