import type { Executor } from '../db/database.ts';

/**
 * The data-rights contract (UK GDPR rights of access and erasure). Every module that holds personal
 * data implements one `DataRightsContributor`; `src/data-rights.ts` lists them all in one place, and
 * the members module composes them into the download (JSON and a readable page) and the erasure.
 */

/** Who the request is about, as every module can recognise them. Read before anything is erased. */
export type DataSubject = {
  userId: number;
  /** The account's email and any other address held for them (profile contact email, applications). */
  emails: string[];
  /** Names held for them (account name, profile name, application given + family name). */
  names: string[];
  registrationNumbers: string[];
};

/** One part of a person's download: a heading and the records under it, as plain values. */
export type DataSection = {
  /** Stable key in the JSON download, e.g. `applications`. */
  key: string;
  /** Heading on the readable page, e.g. `Applications to join`. */
  title: string;
  /** One object per record; values are strings, numbers, booleans, null, dates or arrays of these. */
  records: Record<string, unknown>[];
};

export type DataRightsContributor = {
  /** The module's name: the JSON download's top-level key. */
  module: string;
  /**
   * Every table this module owns that holds personal data, with the columns that do (names, emails,
   * identifiers, free text, photos, addresses). The coverage test fails on a table column of a
   * personal kind that no contributor lists and that `NOT_PERSONAL_COLUMNS` does not explain.
   */
  personalColumns: Record<string, readonly string[]>;
  /** Adds to `DataSubject` what only this module knows (e.g. the names and emails on applications). */
  describe?: (db: Executor, subject: DataSubject) => Promise<void>;
  /** What the module holds about the person, as the person may see it (no other person's private notes). */
  exportFor: (db: Executor, subject: DataSubject) => Promise<DataSection[]>;
  /**
   * Removes or anonymises the person's data in this module's own tables, inside the caller's
   * transaction. Reads only rows about the person (by user id, or the emails and registration
   * numbers in `subject`), never scans unrelated tables.
   */
  erase: (trx: Executor, subject: DataSubject) => Promise<void>;
};
