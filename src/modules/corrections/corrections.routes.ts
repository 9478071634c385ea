// POST /v1/invoices/{id}/replace | adjust (business key or its terminals) and /explain (business
// key only). Handlers only translate HTTP; the rules live in corrections.service.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { forbidden, requirePrincipal } from '../../plugins/auth.js';
import { salesServiceOf, type SaleOutcome } from '../sales/sales.service.js';
import type { AdjustBody, ExplainBody, ReplaceBody } from './corrections.schemas.js';
import { adjustSchema, explainSchema, replaceSchema } from './corrections.schemas.js';
import { createCorrectionsService, type Corrector } from './corrections.service.js';

type IdParams = { id: string };

export default async function correctionsRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const sales = salesServiceOf(deps);
  const svc = createCorrectionsService({
    db: deps.database.db,
    config: deps.config,
    clock: deps.clock,
    issueOnce: sales.issueOnce,
    notices: deps.notices,
    log: deps.log,
  });

  app.post<{ Params: IdParams; Body: ReplaceBody }>(
    '/v1/invoices/:id/replace',
    { schema: replaceSchema, config: { auth: ['biz', 'trm'] } },
    async (req, reply) => send(reply, await svc.replace(corrector(req), req.params.id, key(req), req.body)),
  );

  app.post<{ Params: IdParams; Body: AdjustBody }>(
    '/v1/invoices/:id/adjust',
    { schema: adjustSchema, config: { auth: ['biz', 'trm'] } },
    async (req, reply) => send(reply, await svc.adjust(corrector(req), req.params.id, key(req), req.body)),
  );

  app.post<{ Params: IdParams; Body: ExplainBody }>(
    '/v1/invoices/:id/explain',
    { schema: explainSchema, config: { auth: ['biz'] } },
    async (req, reply) => reply.code(202).send(await svc.explain(corrector(req), req.params.id, req.body)),
  );
}

function corrector(req: FastifyRequest): Corrector {
  const p = requirePrincipal(req);
  if (p.kind === 'trm') return { businessId: p.businessId, terminalId: p.terminalId };
  if (p.kind === 'biz') return { businessId: p.businessId, terminalId: null };
  throw forbidden();
}

const key = (req: FastifyRequest): string => req.headers['idempotency-key'] as string;

function send(reply: FastifyReply, out: SaleOutcome): FastifyReply {
  if (out.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(out.status).send(out.body);
}
