import type { Executor } from '../db/database.ts';
import type { StoredFileRef } from './file-store.ts';

/**
 * The data-rights contract (UK GDPR rights of access and erasure). Every module that holds personal
 * data implements one `DataRightsContributor`; `src/data-rights.ts` lists them all in one place, in
 * erasure order, and the members module composes them into the download (JSON and a readable page)
 * and the erasure (one transaction) with `describeSubject`, `exportSubject` and `eraseSubject` below.
 */

/** Who the request is about, as every module can recognise them. Read before anything is erased. */
export type DataSubject = {
  userId: number;
  /** The account's email and any other address held for them (profile contact email, applications). */
  emails: string[];
  /** Names held for them (account name, profile name, application given + family name). */
  names: string[];
  registrationNumbers: string[];
  /**
   * Audit-log entities that are about the person (`entity_type` + `entity_id`), beyond their own
   * account and profile (`user`/`member` with their user id): each module adds its own, e.g. the
   * person's applications, plans, feedback rounds, mentoring relationships. The audit contributor
   * scrubs the entries about these.
   */
  entities: { type: string; id: string }[];
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
  /** Heading of the module's part on the readable page, e.g. `Recruitment`. */
  title?: string;
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
   * numbers in `subject`), never scans unrelated tables. What cannot be rolled back (a file in the
   * file store whose row the erasure deletes) goes in `after`, done once the transaction commits.
   */
  erase: (trx: Executor, subject: DataSubject, after?: AfterErasure) => Promise<void>;
};

/**
 * What an erasure leaves to do after its transaction has committed: work that a rollback could not
 * undo, so it must not happen before the database change is certain. The members service runs it
 * (`runAfterErasure` from the app) once the erasure's transaction has committed.
 */
export type AfterErasure = {
  /** Blobs in the file store whose rows the erasure deleted (uploaded files of the person's items). */
  storedFiles: StoredFileRef[];
};

export function newAfterErasure(): AfterErasure {
  return { storedFiles: [] };
}

/** The name an erased person's kept rows carry instead of theirs. */
export function erasedLabel(userId: number): string {
  return `Erased member ${userId}`;
}

/** The address an erased account keeps (unique, undeliverable). */
export function erasedEmail(userId: number): string {
  return `erased-${userId}@erased.invalid`;
}

function addUnique(list: string[], values: (string | null | undefined)[], lower = false) {
  for (const raw of values) {
    const v = raw?.trim();
    if (!v) continue;
    const value = lower ? v.toLowerCase() : v;
    if (!list.some((x) => x.toLowerCase() === value.toLowerCase())) list.push(value);
  }
}

/** Adds names, emails, registration numbers and entities to a subject, without duplicates. */
export function addToSubject(
  subject: DataSubject,
  add: {
    names?: (string | null | undefined)[];
    emails?: (string | null | undefined)[];
    registrationNumbers?: (string | null | undefined)[];
    entities?: { type: string; id: string | number }[];
  },
): void {
  addUnique(subject.names, add.names ?? []);
  addUnique(subject.emails, add.emails ?? [], true);
  addUnique(subject.registrationNumbers, add.registrationNumbers ?? []);
  for (const e of add.entities ?? []) {
    const id = String(e.id);
    if (!subject.entities.some((x) => x.type === e.type && x.id === id))
      subject.entities.push({ type: e.type, id });
  }
}

/**
 * Every contributor's `describe`, starting from the user id alone, repeated until nothing new is
 * learnt (an email found by one module can find records in a module listed before it).
 */
export async function describeSubject(
  db: Executor,
  contributors: readonly DataRightsContributor[],
  userId: number,
): Promise<DataSubject> {
  const subject: DataSubject = { userId, emails: [], names: [], registrationNumbers: [], entities: [] };
  const size = () =>
    subject.emails.length +
    subject.names.length +
    subject.registrationNumbers.length +
    subject.entities.length;
  for (let pass = 0; pass < 4; pass++) {
    const before = size();
    for (const c of contributors) await c.describe?.(db, subject);
    if (size() === before) break;
  }
  return subject;
}

export type DataDownload = { module: string; title: string; sections: DataSection[] }[];

/** Every contributor's part of the person's download, in registry order. */
export async function exportSubject(
  db: Executor,
  contributors: readonly DataRightsContributor[],
  subject: DataSubject,
): Promise<DataDownload> {
  const out: DataDownload = [];
  for (const c of contributors) {
    out.push({ module: c.module, title: c.title ?? c.module, sections: await c.exportFor(db, subject) });
  }
  return out;
}

/**
 * Every contributor's `erase`, in registry order, inside the caller's one transaction. Returns what
 * the contributors left for after the commit: the caller does it only once the transaction commits.
 */
export async function eraseSubject(
  trx: Executor,
  contributors: readonly DataRightsContributor[],
  subject: DataSubject,
): Promise<AfterErasure> {
  const after = newAfterErasure();
  for (const c of contributors) await c.erase(trx, subject, after);
  return after;
}
