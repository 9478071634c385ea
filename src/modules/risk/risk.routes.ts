import { problemRef } from '../../plugins/problems.js';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured } from '../../plugins/auth.js';
import { SIGNAL_CODES } from './rules.js';
import { createRiskService, type RiskQuery } from './risk.service.js';

const problem = problemRef;
const errors = { 401: problem, 403: problem, 422: problem, 503: problem } as const;

const riskQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provinceCode: { type: 'string', pattern: '^\\d{2}$', description: 'Province (2-digit code)' },
    minScore: { type: 'integer', minimum: 0, maximum: 100, default: 1, description: 'Lowest score listed (scores above 0 only)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

const riskList = {
  type: 'object',
  additionalProperties: false,
  required: ['evaluatedAt', 'items'],
  properties: {
    evaluatedAt: { type: ['string', 'null'], format: 'date-time', description: 'When the listed evaluation ran (+07:00); null before the first one' },
    items: {
      type: 'array',
      description: 'Businesses with a score above 0, highest first',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['taxCode', 'name', 'score', 'signals'],
        properties: {
          taxCode: { type: 'string' },
          name: { type: 'string' },
          score: { type: 'integer', minimum: 0, maximum: 100, description: '100 × (1 − Π(1 − weight of each signal))' },
          signals: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['code', 'severity', 'detail', 'evidence'],
              properties: {
                code: { type: 'string', enum: SIGNAL_CODES },
                severity: { type: 'string', enum: ['low', 'medium', 'high'] },
                detail: { type: 'string', description: 'What was seen, in Vietnamese, for a tax officer' },
                evidence: { type: 'object', additionalProperties: { type: ['number', 'string'] }, description: 'The numbers behind the detail' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export default async function riskRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createRiskService({ db: deps.database.db, clock: deps.clock });

  app.get<{ Querystring: RiskQuery }>(
    '/v1/risk/businesses',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['risk'],
        operationId: 'listRiskyBusinesses',
        summary: 'Businesses showing revenue-loss signals, from the latest evaluation',
        description: 'An officer sees its provinces only; a filter on another province returns no items.',
        ...secured,
        querystring: riskQuery,
        response: { 200: riskList, ...errors },
      },
    },
    async (req) => svc.latest(requirePrincipal(req), req.query),
  );

  app.post<{ Querystring: RiskQuery }>(
    '/v1/risk/evaluate',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['risk'],
        operationId: 'evaluateRisk',
        summary: 'Run the risk evaluation now and return its list (admins)',
        ...secured,
        querystring: riskQuery,
        response: { 200: riskList, ...errors },
      },
    },
    async (req) => {
      await svc.evaluateNow();
      return svc.latest(requirePrincipal(req), req.query);
    },
  );
}
