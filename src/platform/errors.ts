/** One error hierarchy: each carries an HTTP status and a stable code for API clients. */
export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = 'internal_error';
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = 'not_found';
  constructor(message = 'Page not found') {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = 'forbidden';
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

export class UnauthenticatedError extends AppError {
  override readonly status = 401;
  override readonly code = 'unauthenticated';
  constructor(message = 'You need to sign in to do that') {
    super(message);
  }
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = 'conflict';
}

export class TooManyRequestsError extends AppError {
  override readonly status = 429;
  override readonly code = 'too_many_requests';
}

export type FieldError = { field: string; message: string };

/** Input that breaks a rule. Forms show each field error; the API lists them. */
export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = 'validation_failed';
  constructor(
    readonly errors: FieldError[],
    message = errors.map((e) => e.message).join('. ') || 'The request is not valid',
  ) {
    super(message);
  }
}
