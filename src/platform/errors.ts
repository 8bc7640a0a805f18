// The error catalogue: every error corebank returns has a stable code, an HTTP status and a
// title. Domain code throws `BankError`; one handler (platform/http/problem.ts) renders it as
// RFC 9457 problem+json. docs/errors.md lists every code (a test checks that it does).

export const errorCatalogue = {
  INVALID_REQUEST: { status: 400, title: 'The request is not valid' },
  INVALID_AMOUNT: { status: 400, title: 'The amount is not valid' },
  INVALID_ACCOUNT_NUMBER: { status: 400, title: 'The account number is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  MFA_REQUIRED: { status: 401, title: 'A one-time password is required' },
  FORBIDDEN: { status: 403, title: 'You may not do this' },
  MFA_SETUP_REQUIRED: { status: 403, title: 'Set up a second factor first' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_CONFLICT: { status: 409, title: 'The idempotency key was used with a different request' },
  ACCOUNT_NOT_EMPTY: { status: 409, title: 'The account still holds money or holds' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  INSUFFICIENT_FUNDS: { status: 422, title: 'Insufficient funds' },
  ACCOUNT_FROZEN: { status: 422, title: 'The account is frozen' },
  ACCOUNT_CLOSED: { status: 422, title: 'The account is closed' },
  CURRENCY_MISMATCH: { status: 422, title: 'The currencies do not match' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be carried out' },
  LIMIT_EXCEEDED: { status: 422, title: 'The amount is over the allowed limit' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  path: string;
  message: string;
}

export class BankError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? errorCatalogue[code].title, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'BankError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export function isBankError(e: unknown): e is BankError {
  return e instanceof BankError;
}
