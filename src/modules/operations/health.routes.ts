import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { readBacklog } from '../../transmission/backlog.js';

const check = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'down'] }, detail: { type: 'string' } },
  required: ['status'],
} as const;

const ready = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'down'] },
    checks: { type: 'object', properties: { database: check, redis: check }, required: ['database'] },
    backlog: {
      type: 'object',
      description: 'Invoices not yet answered by the authority (informational: does not fail readiness)',
      properties: { pending: { type: 'integer' }, oldestAgeSeconds: { type: 'integer' }, overdue: { type: 'integer' } },
    },
  },
  required: ['status', 'checks'],
} as const;

async function probe(fn: () => Promise<unknown>): Promise<{ status: 'ok' | 'down'; detail?: string }> {
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref())]);
    return { status: 'ok' };
  } catch (err) {
    return { status: 'down', detail: (err as Error).message };
  }
}

export default async function healthRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['operations'],
        operationId: 'healthLive',
        summary: 'The process is up',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['operations'],
        operationId: 'healthReady',
        summary: 'The gateway can serve: database (and Redis when configured) reachable; with the transmission backlog',
        response: { 200: ready, 503: ready },
      },
    },
    async (_req, reply) => {
      const checks: Record<string, { status: 'ok' | 'down'; detail?: string }> = {
        database: await probe(() => deps.database.ping()),
      };
      if (deps.redis) checks.redis = await probe(() => deps.redis!.ping());
      const ok = Object.values(checks).every((c) => c.status === 'ok');
      const backlog = ok ? await readBacklog(deps.database.db, deps.clock()).catch(() => undefined) : undefined;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'down',
        checks,
        ...(backlog ? { backlog: { pending: backlog.pending, oldestAgeSeconds: backlog.oldestAgeSeconds, overdue: backlog.overdue } } : {}),
      });
    },
  );
}
