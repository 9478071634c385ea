// POST /v1/sales and POST /v1/sales/batch (terminal tokens). Handlers only translate HTTP; the
// rules live in sales.service.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import { forbidden, requirePrincipal } from '../../plugins/auth.js';
import { ajvToFieldErrors, toProblem } from '../../plugins/problems.js';
import { batchSchema, saleBody, sellSchema, type SaleBody } from './sales.schemas.js';
import { salesServiceOf, type Poster } from './sales.service.js';

export const BATCH_BODY_LIMIT = 8 * 1024 * 1024;

type AjvErrors = Parameters<typeof ajvToFieldErrors>[0];
type Validation = { validation?: AjvErrors; validationContext?: string };

export default async function salesRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const sales = salesServiceOf(deps);

  app.post(
    '/v1/sales',
    { schema: sellSchema, config: { auth: ['trm'] }, attachValidation: true, preHandler: async (req) => rejectInvalid(req) },
    async (req, reply) => {
      const out = await sales.sell(poster(req), req.headers['idempotency-key'] as string, req.body as SaleBody);
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(out.status).send(out.body);
    },
  );

  app.post('/v1/sales/batch', { schema: batchSchema, config: { auth: ['trm'] }, bodyLimit: BATCH_BODY_LIMIT }, async (req) => {
    const { sales: items } = req.body as { sales: Array<{ idempotencyKey: string }> };
    const checkShape = (sale: unknown): FieldError[] => {
      const validate = req.compileValidationSchema(saleBody, 'body');
      return validate(sale) ? [] : ajvToFieldErrors((validate.errors ?? []) as AjvErrors);
    };
    const results = await sales.batch(poster(req), items, checkShape);
    return { results: results.map((r) => (r.error ? { ...r, error: toProblem(r.error, String(req.id)) } : r)) };
  });
}

function poster(req: FastifyRequest): Poster {
  const p = requirePrincipal(req);
  if (p.kind !== 'trm') throw forbidden();
  return { businessId: p.businessId, terminalId: p.terminalId };
}

/**
 * Fastify stops at the first invalid part (body before headers); one 422 lists them all, so a
 * bad body with a missing Idempotency-Key reports both.
 */
function rejectInvalid(req: FastifyRequest): void {
  const failed = req.validationError as (Error & Validation) | undefined;
  if (!failed) return;
  if (!failed.validation) throw failed;
  const errors = ajvToFieldErrors(failed.validation, failed.validationContext);
  if (failed.validationContext !== 'headers') {
    const headers = req.getValidationFunction('headers');
    if (headers && !headers(req.headers)) errors.push(...ajvToFieldErrors((headers.errors ?? []) as AjvErrors, 'headers'));
  }
  throw invalid('validation.failed', errors);
}
