// POST /messages and GET /messages/:id, exactly as src/transmission/authority-client.ts speaks them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultDecision } from './faults.js';
import type { Simulator } from './simulator.js';

const XML = 'application/xml; charset=utf-8';

/** Closes the connection without an answer (a network failure, as the client sees it). */
export function dropConnection(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  req.raw.socket?.destroy();
  return reply;
}
const errorBody = { type: 'object', properties: { error: { type: 'string' } } } as const;

/** Applies latency, then an injected 500 or 429; true when the request was answered by a fault. */
async function answeredByFault(fault: FaultDecision, reply: FastifyReply): Promise<boolean> {
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.action === 'error') {
    void reply.code(500).send({ error: 'injected fault: internal error' });
    return true;
  }
  if (fault.action === 'rate429') {
    void reply.code(429).header('retry-after', String(fault.retryAfterSeconds)).send({ error: 'injected fault: too many requests' });
    return true;
  }
  return false;
}

export function registerMessageRoutes(app: FastifyInstance, sim: Simulator): void {
  app.post(
    '/messages',
    {
      schema: {
        tags: ['authority'],
        operationId: 'sendMessage',
        description: 'Takes a TDiep (100, 206, 303) and answers with the 999 TDiep; business answers come through the lookup.',
        headers: { type: 'object', properties: { 'x-message-id': { type: 'string', maxLength: 64 } } },
        response: {
          200: { description: 'The 999 TDiep (application/xml; TTTNhan 0 received, 1 not taken in)', type: 'string' },
          429: errorBody,
          500: errorBody,
        },
      },
    },
    async (req, reply) => {
      const fault = sim.faults.decide('send');
      if (await answeredByFault(fault, reply)) return reply;
      const hint = req.headers['x-message-id'];
      const result = await sim.receive(req.body as Buffer, typeof hint === 'string' ? { messageId: hint } : {});
      // dropRate: the message is stored and answered, but the answer never reaches the sender.
      if (fault.drop) return dropConnection(req, reply);
      return reply.type(XML).send(result.xml);
    },
  );

  app.get(
    '/messages/:id',
    {
      schema: {
        tags: ['authority'],
        operationId: 'lookupMessage',
        description: 'The replies issued so far for a message id: the 999 first, then the business answers that are ready.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: {
          200: {
            type: 'object',
            required: ['messageId', 'replies'],
            properties: { messageId: { type: 'string' }, replies: { type: 'array', items: { type: 'string' } } },
          },
          404: errorBody,
          429: errorBody,
          500: errorBody,
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      if (await answeredByFault(sim.faults.decide('lookup'), reply)) return reply;
      const replies = await sim.lookup(id);
      if (!replies) return reply.code(404).send({ error: `unknown message ${id}` });
      return { messageId: id, replies };
    },
  );
}
