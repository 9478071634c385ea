import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured } from '../../plugins/auth.js';
import * as s from './stats.schemas.js';
import { createStatsService } from './stats.service.js';

const errors = { 401: s.problem, 403: s.problem, 422: s.problem, 503: s.problem } as const;

export default async function statsRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createStatsService({ db: deps.database.db, clock: deps.clock });

  app.get<{ Querystring: s.VolumeQuery }>(
    '/v1/stats/volume',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['stats'],
        operationId: 'statsVolume',
        summary: 'Invoices, revenue, VAT and totals per hour, day or month of issue',
        description: "An officer sees its provinces only: a filter on another province returns a series of zeros.",
        ...secured,
        querystring: s.volumeQuery,
        response: { 200: s.volumeResponse, ...errors },
      },
    },
    async (req) => svc.volume(requirePrincipal(req), req.query),
  );

  app.get<{ Querystring: { provinceCode?: string } }>(
    '/v1/stats/overview',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['stats'],
        operationId: 'statsOverview',
        summary: 'Businesses, terminals, today, transmission backlog and late invoices at a glance',
        ...secured,
        querystring: s.overviewQuery,
        response: { 200: s.overviewResponse, ...errors },
      },
    },
    async (req) => svc.overview(requirePrincipal(req), req.query.provinceCode),
  );
}
