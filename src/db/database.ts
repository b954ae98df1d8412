import type { Kysely, Transaction } from 'kysely';
import type { EventsTables } from '../modules/events/events.table.ts';
import type { DevelopmentTables } from '../modules/development/development.table.ts';
import type { KnowledgeTables } from '../modules/knowledge/knowledge.table.ts';
import type { LearningSetsTables } from '../modules/learning-sets/learning-sets.table.ts';
import type { MembersTables } from '../modules/members/members.table.ts';
import type { MentoringTables } from '../modules/mentoring/mentoring.table.ts';
import type { PolicyTables } from '../modules/policy/policy.table.ts';
import type { ProgrammeTables } from '../modules/programme/programme.table.ts';
import type { RecruitmentTables } from '../modules/recruitment/recruitment.table.ts';
import type { PlatformTables } from './platform.tables.ts';

/**
 * Every table the application knows. Each module adds its own table interface here
 * (the one place where src/db may import from modules).
 */
export type Database = PlatformTables &
  ProgrammeTables &
  RecruitmentTables &
  MembersTables &
  DevelopmentTables &
  LearningSetsTables &
  MentoringTables &
  PolicyTables &
  KnowledgeTables &
  EventsTables;

export type DB = Kysely<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;
