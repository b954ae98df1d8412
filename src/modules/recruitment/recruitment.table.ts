/** Table types of the recruitment module; gathered into the Database type in src/db/database.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RecruitmentTables {}
