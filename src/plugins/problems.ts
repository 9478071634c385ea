// One place turns every failure into RFC 9457 problem+json with a stable `code` and the request id.
// 5xx details stay in the log; the client gets the request id to quote.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isUnavailableError, unavailable, type FieldError } from '../lib/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  requestId: string;
}

export const problemType = (code: string): string => `urn:hoadon-mtt:problem:${code}`;

export function toProblem(err: AppError, requestId: string): Problem {
  const p: Problem = { type: problemType(err.code), title: err.title, status: err.status, detail: err.message, code: err.code, requestId };
  if (err.errors?.length) p.errors = err.errors;
  return p;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const CONTEXT_PREFIX: Record<string, string> = { body: '', querystring: '/query', params: '/params', headers: '/headers' };

export function ajvToFieldErrors(validation: AjvError[], context = 'body'): FieldError[] {
  return validation.map((v) => {
    let path = v.instancePath;
    if (v.keyword === 'required') path += `/${String(v.params.missingProperty)}`;
    if (v.keyword === 'additionalProperties') path += `/${String(v.params.additionalProperty)}`;
    const message =
      v.keyword === 'additionalProperties' ? 'is not an accepted field' : (v.message ?? 'is invalid');
    return { path: (CONTEXT_PREFIX[context] ?? '') + path || '/', message, code: `schema.${v.keyword}` };
  });
}

/** Maps framework and driver errors onto AppError; anything unknown becomes a bare 500. */
export function classify(err: FastifyError & { validation?: AjvError[]; validationContext?: string }): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) {
    return new AppError(422, 'validation.failed', 'The request has invalid fields', {
      errors: ajvToFieldErrors(err.validation, err.validationContext),
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'request.malformed_json', 'The body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'request.too_large', 'The body is larger than this route accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'request.unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(400, 'request.bad_content_length', 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return new AppError(400, 'request.bad_url', 'The URL is not valid (bad percent-encoding)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError(414, 'request.uri_too_long', 'A path parameter is longer than any this API accepts');
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return new AppError(400, 'request.malformed_json', 'The body is not valid JSON');
  }
  if (isUnavailableError(err)) return unavailable();
  if (err.statusCode === 429) return new AppError(429, 'rate_limited', 'Too many requests; slow down');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode, 'request.invalid', err.message);
  }
  return new AppError(500, 'internal', 'An unexpected error occurred; quote the request id when reporting it');
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or hook runs (a path
 * parameter too long, bad percent-encoding) is a problem+json like everything else.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const err = classify(error);
  request.log.info({ code: err.code, status: err.status }, 'request refused by the router');
  void sendProblem(reply, err);
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type('application/problem+json').send(toProblem(err, String(reply.request.id)));
}

/** What every route's error responses point at (the shared schema below). */
export const problemRef = { $ref: 'Problem#' } as const;

/** Shared response schema: routes answer errors with `problemRef`. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable, machine-readable error code' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } }, required: ['path', 'message'] },
    },
    requestId: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
} as const;

export default fp(
  async function problems(app: FastifyInstance) {
    app.addSchema(problemSchema);
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const err = classify(error);
      if (err.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: err.code, status: err.status }, 'request refused');
      return sendProblem(reply, err);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, new AppError(404, 'route.not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'problems' },
);
