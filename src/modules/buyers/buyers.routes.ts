import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { authenticate, requirePrincipal, secured, type Principal } from '../../plugins/auth.js';
import { classify } from '../../plugins/problems.js';
import * as s from './buyers.schemas.js';
import { createBuyersService } from './buyers.service.js';

const errors = { 401: s.problem, 403: s.problem, 422: s.problem, 503: s.problem } as const;

export default async function buyersRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createBuyersService({ db: deps.database.db, config: deps.config, clock: deps.clock });
  const audited = new WeakMap<FastifyRequest, { audited: boolean }>();
  const markOf = (req: FastifyRequest) => audited.get(req) ?? audited.set(req, { audited: false }).get(req)!;

  app.post<{ Body: { personalId: string; reason: string } }>(
    '/v1/buyers/search',
    {
      config: { auth: ['stf'] },
      // The handler sees schema failures so that a refused search is audited too.
      attachValidation: true,
      schema: {
        tags: ['buyers'],
        operationId: 'searchBuyer',
        summary: "A buyer's invoices across businesses, by personal ID (in the body: IDs never travel in URLs)",
        description: 'Every call, refused ones included, writes one audit row: staff id, time, the HMAC of the ID, reason, result count.',
        ...secured,
        body: s.searchBody,
        response: { 200: s.searchResponse, 400: s.problem, ...errors },
      },
      // Refused before the handler (a business token, malformed JSON…): audited here, once.
      onError: async (req: FastifyRequest, _reply, err: FastifyError) => {
        if (markOf(req).audited) return;
        const p: Principal | null = req.principal ?? (await authenticate(deps, req.headers.authorization).catch(() => null));
        if (!p) return; // nobody to put on record
        await svc.refusedCall(p, classify(err).code).catch((e: unknown) => req.log.error({ err: e }, 'audit of a refused buyer search failed'));
      },
    },
    async (req) => {
      const p = requirePrincipal(req) as Extract<Principal, { kind: 'stf' }>;
      return svc.search(p, req.body, req.validationError as never, markOf(req));
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/audit',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['audit'],
        operationId: 'listAudit',
        summary: 'The audit log, newest first (admins)',
        ...secured,
        querystring: s.auditQuery,
        response: { 200: s.auditResponse, ...errors },
      },
    },
    async (req) => svc.auditLog(req.query),
  );
}
