/** Table types of the programme module; gathered into the Database type in src/db/database.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProgrammeTables {}
