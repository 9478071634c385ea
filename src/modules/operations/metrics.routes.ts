// Prometheus text exposition of what operators alert on: transmission backlog and lateness.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { readBacklog } from '../../transmission/backlog.js';

export default async function metricsRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => {
      const b = await readBacklog(deps.database.db, deps.clock());
      const m = process.memoryUsage();
      const lines = [
        ['hoadon_invoices_pending', 'gauge', 'Invoices not yet answered by the tax authority', b.pending],
        ['hoadon_invoices_oldest_pending_age_seconds', 'gauge', 'Age of the oldest unanswered invoice', b.oldestAgeSeconds],
        ['hoadon_invoices_overdue', 'gauge', 'Unanswered invoices past the end of their business day', b.overdue],
        ['hoadon_invoices_accepted_late_total', 'counter', 'Invoices accepted after their deadline', b.lateAccepted],
        ['hoadon_invoices_rejected_total', 'counter', 'Invoices rejected by the tax authority', b.rejected],
        ['hoadon_messages_open', 'gauge', 'Messages to the authority without a final answer', b.openMessages],
        ['process_resident_memory_bytes', 'gauge', 'Resident memory of this process', m.rss],
      ] as const;
      const body = lines.map(([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}\n`).join('');
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(body);
    },
  );
}
