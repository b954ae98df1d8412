/**
 * Base class for every error the learning-sets engine raises on purpose. Callers (the CLI, the
 * web layer) print `message` to the user and never need the stack trace.
 */
export class LearningSetsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The size bounds and rules cannot all be met; the message says which ones conflict. */
export class InfeasibleError extends LearningSetsError {}

/** An MDGPLIB file is malformed; the message starts with `line N:`. */
export class MdgpParseError extends LearningSetsError {
  /** 1-based line number of the problem. */
  readonly line: number;

  constructor(line: number, detail: string) {
    super(`line ${line}: ${detail}`);
    this.line = line;
  }
}

/** The problem description itself is malformed (wrong matrix length, index out of range, NaN...). */
export class InvalidProblemError extends LearningSetsError {}

/** An assignment handed to `scoreAssignment` is not a valid grouping for the instance. */
export class InvalidAssignmentError extends LearningSetsError {}
