import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured, type Principal } from '../../plugins/auth.js';
import * as s from './dashboard.schemas.js';
import { createDashboardService } from './dashboard.service.js';

const errors = { 401: s.problem, 403: s.problem, 422: s.problem, 503: s.problem } as const;

export default async function dashboardRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createDashboardService(deps);

  app.get(
    '/v1/dashboard/me',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['dashboard'],
        operationId: 'dashboardMe',
        summary: "The staff token's role and the provinces it sees",
        ...secured,
        response: { 200: s.meResponse, ...errors },
      },
    },
    async (req) => svc.me(requirePrincipal(req) as Extract<Principal, { kind: 'stf' }>),
  );

  app.get<{ Querystring: s.ProvincesQuery }>(
    '/v1/dashboard/provinces',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['dashboard'],
        operationId: 'dashboardProvinces',
        summary: 'Businesses, terminals, invoices, revenue, late invoices and flagged businesses per province',
        description: 'An officer sees its provinces only.',
        ...secured,
        querystring: s.provincesQuery,
        response: { 200: s.provincesResponse, ...errors },
      },
    },
    async (req) => svc.provinces(requirePrincipal(req), req.query),
  );

  app.get<{ Params: { taxCode: string } }>(
    '/v1/dashboard/businesses/:taxCode/health',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['dashboard'],
        operationId: 'dashboardBusinessHealth',
        summary: "A business's invoice-number series (gaps) and the signatures of its newest invoices",
        description: 'A business outside an officer’s provinces is a 404.',
        ...secured,
        params: s.taxCodeParams,
        response: { 200: s.healthResponse, 404: s.problem, ...errors },
      },
    },
    async (req) => svc.health(requirePrincipal(req), req.params.taxCode),
  );
}
