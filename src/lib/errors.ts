// Errors that cross the HTTP boundary carry a stable machine-readable code (RFC 9457 `code`
// extension). Services throw these; one handler (plugins/problems.ts) renders them.

export interface FieldError {
  /** JSON pointer into the request body (or `/query/...`, `/headers/...`). */
  path: string;
  message: string;
  code?: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  title?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly title: string;

  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    opts: AppErrorOptions = {},
  ) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.errors = opts.errors;
    this.headers = opts.headers;
    this.title = opts.title ?? TITLES[status] ?? 'Error';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export const notFound = (what = 'Resource'): AppError => new AppError(404, 'not_found', `${what} not found`);

export const invalid = (code: string, errors: FieldError[], detail = 'The request has invalid fields'): AppError =>
  new AppError(422, code, detail, { errors });

export const conflict = (code: string, detail: string): AppError => new AppError(409, code, detail);

/** A dependency is down: tell the client to come back, never a 500. */
export const unavailable = (detail = 'A dependency is temporarily unavailable; retry shortly', retryAfterSeconds = 2): AppError =>
  new AppError(503, 'unavailable', detail, { headers: { 'retry-after': String(retryAfterSeconds) } });

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * True when an error means the database (or Redis) could not be reached or went away mid-query,
 * as opposed to a bug or a constraint violation. SQLSTATE class 08 is connection exceptions,
 * 57P01-57P03 are shutdown/startup states, 53300 too many connections.
 */
export function isUnavailableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_ERROR_CODES.has(code)) return true;
      if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
    }
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === 'string' && /connection (terminated|closed|ended)|write CONNECTION_CLOSED|Connection is closed/i.test(msg)) {
      return true;
    }
  }
  return false;
}
