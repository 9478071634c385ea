// /_sim/…: the simulator's own routes. TEST-ONLY seeding and inspection (sellers, invoices,
// stats, faults, reset) exist only with `testRoutes: true` (tests and the gateway's embedded mode);
// the certificate is public and always served, since the gateway needs it as AUTHORITY_CERT.
import type { FastifyInstance } from 'fastify';
import { FaultConfigError, parseFaults } from './faults.js';
import type { Simulator } from './simulator.js';

const TAGS = ['simulator (test only)'];
const errorBody = { type: 'object', properties: { error: { type: 'string' } } } as const;
const sellerBody = {
  type: 'object',
  properties: {
    taxCode: { type: 'string' },
    mttCode: { type: 'string' },
    name: { type: ['string', 'null'] },
    certificateFingerprint: { type: ['string', 'null'] },
    certificates: { type: 'array', items: { type: 'object', additionalProperties: true } },
    registeredAt: { type: 'string' },
  },
} as const;
const invoiceBody = {
  type: 'object',
  properties: {
    taxCode: { type: 'string' },
    mttCode: { type: 'string' },
    form: { type: 'integer' },
    symbol: { type: 'string' },
    number: { type: 'integer' },
    messageId: { type: 'string' },
    acceptedAt: { type: 'string' },
  },
} as const;
const countMap = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const faultsBody = { type: 'object', additionalProperties: true } as const;

export function registerSimRoutes(app: FastifyInstance, sim: Simulator): void {
  app.get(
    '/_sim/certificate',
    { schema: { tags: ['simulator'], operationId: 'simCertificate', description: "PEM of the simulator's signing certificate (AUTHORITY_CERT)." } },
    async (_req, reply) => reply.type('application/x-pem-file').send(sim.certificatePem),
  );
  if (!sim.testRoutes) return;

  app.get('/_sim/faults', { schema: { tags: TAGS, operationId: 'simGetFaults', response: { 200: faultsBody } } }, async () => sim.faults.get());

  app.post(
    '/_sim/faults',
    { schema: { tags: TAGS, operationId: 'simSetFaults', description: 'Replaces the fault set; {} clears it.', body: faultsBody, response: { 200: faultsBody, 400: errorBody } } },
    async (req, reply) => {
      try {
        sim.setFaults(parseFaults(req.body));
      } catch (err) {
        if (err instanceof FaultConfigError) return reply.code(400).send({ error: err.message });
        throw err;
      }
      return sim.faults.get();
    },
  );

  app.post(
    '/_sim/sellers',
    {
      schema: {
        tags: TAGS,
        operationId: 'simSeedSeller',
        description: 'Registers a seller directly, as if its 100 had been accepted with this code.',
        body: {
          type: 'object',
          required: ['taxCode', 'mttCode'],
          additionalProperties: false,
          properties: { taxCode: { type: 'string' }, mttCode: { type: 'string' }, name: { type: 'string' } },
        },
        response: { 201: sellerBody, 400: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const r = await sim.seedSeller(req.body as { taxCode: string; mttCode: string; name?: string });
      if (!r.ok) return reply.code(r.error === 'conflict' ? 409 : 400).send({ error: r.message });
      return reply.code(201).send(r.seller);
    },
  );

  app.get(
    '/_sim/sellers/:taxCode',
    {
      schema: {
        tags: TAGS,
        operationId: 'simGetSeller',
        params: { type: 'object', required: ['taxCode'], properties: { taxCode: { type: 'string', maxLength: 14 } } },
        response: { 200: sellerBody, 404: errorBody },
      },
    },
    async (req, reply) => {
      const { taxCode } = req.params as { taxCode: string };
      const seller = await sim.seller(taxCode);
      return seller ?? reply.code(404).send({ error: `seller ${taxCode} is not registered` });
    },
  );

  app.get(
    '/_sim/invoices',
    {
      schema: {
        tags: TAGS,
        operationId: 'simListInvoices',
        description: 'Accepted invoices, oldest first (for exactly-once assertions).',
        querystring: { type: 'object', properties: { taxCode: { type: 'string', maxLength: 14 } } },
        response: { 200: { type: 'object', properties: { invoices: { type: 'array', items: invoiceBody } } } },
      },
    },
    async (req) => ({ invoices: await sim.invoices((req.query as { taxCode?: string }).taxCode) }),
  );

  app.get(
    '/_sim/stats',
    {
      schema: {
        tags: TAGS,
        operationId: 'simStats',
        response: {
          200: {
            type: 'object',
            properties: {
              messages: countMap,
              invoicesAccepted: { type: 'integer' },
              invoicesRejected: { type: 'integer' },
              duplicates: { type: 'integer' },
              resends: { type: 'integer' },
              faults: countMap,
            },
          },
        },
      },
    },
    async () => sim.stats(),
  );

  app.post(
    '/_sim/reset',
    { schema: { tags: TAGS, operationId: 'simReset', description: 'Forgets messages, sellers, invoices and counters; keeps the signing key and the faults.' } },
    async (_req, reply) => {
      await sim.reset();
      return reply.code(204).send();
    },
  );
}
