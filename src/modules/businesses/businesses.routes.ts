import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured } from '../../plugins/auth.js';
import * as s from './businesses.schemas.js';
import { createBusinessesService, type RegistrationRequest } from './businesses.service.js';

type TaxCodeParams = { taxCode: string };
const errors = { 401: s.problem, 403: s.problem, 404: s.problem, 409: s.problem, 422: s.problem } as const;

export default async function businessesRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createBusinessesService(deps);

  app.post<{ Body: RegistrationRequest }>(
    '/v1/businesses',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['businesses'],
        operationId: 'registerBusiness',
        summary: 'Register a business; the gateway sends registration message 100 to the tax authority',
        body: s.registerBody,
        response: { 201: s.registered, 409: s.problem, 422: s.problem, 429: s.problem },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.register(req.body)),
  );

  app.get<{ Params: TaxCodeParams }>(
    '/v1/businesses/:taxCode',
    {
      config: { auth: ['biz', 'stf'] },
      schema: { tags: ['businesses'], operationId: 'getBusiness', ...secured, params: s.taxCodeParams, response: { 200: s.businessView, ...errors } },
    },
    async (req) => svc.view(await svc.visibleBusiness(requirePrincipal(req), req.params.taxCode)),
  );

  app.put<{ Params: TaxCodeParams; Body: { pkcs12: string; password: string } }>(
    '/v1/businesses/:taxCode/certificate',
    {
      config: { auth: ['biz'] },
      schema: {
        tags: ['businesses'],
        operationId: 'renewCertificate',
        summary: 'Replace the signing certificate; a change registration (100, HThuc 2) goes to the authority',
        ...secured,
        params: s.taxCodeParams,
        body: s.renewBody,
        response: { 200: s.certificateView, ...errors },
      },
    },
    async (req) => svc.renewCertificate(requirePrincipal(req), req.params.taxCode, req.body),
  );

  app.post<{ Params: TaxCodeParams }>(
    '/v1/businesses/:taxCode/keys/rotate',
    {
      config: { auth: ['biz'] },
      schema: { tags: ['businesses'], operationId: 'rotateBusinessKey', ...secured, params: s.taxCodeParams, response: { 200: s.apiKeyView, ...errors } },
    },
    async (req) => svc.rotateKey(requirePrincipal(req), req.params.taxCode),
  );

  app.get<{ Params: TaxCodeParams }>(
    '/v1/businesses/:taxCode/terminals',
    {
      config: { auth: ['biz'] },
      schema: { tags: ['terminals'], operationId: 'listTerminals', ...secured, params: s.taxCodeParams, response: { 200: s.terminalList, ...errors } },
    },
    async (req) => svc.listTerminals(requirePrincipal(req), req.params.taxCode),
  );

  app.post<{ Params: TaxCodeParams; Body: { name: string; location?: string } }>(
    '/v1/businesses/:taxCode/terminals',
    {
      config: { auth: ['biz'] },
      schema: { tags: ['terminals'], operationId: 'createTerminal', ...secured, params: s.taxCodeParams, body: s.terminalBody, response: { 201: s.terminalCreated, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await svc.createTerminal(requirePrincipal(req), req.params.taxCode, req.body)),
  );

  app.delete<{ Params: TaxCodeParams & { id: string } }>(
    '/v1/businesses/:taxCode/terminals/:id',
    {
      config: { auth: ['biz'] },
      schema: { tags: ['terminals'], operationId: 'revokeTerminal', ...secured, params: s.terminalParams, response: { 204: { type: 'null' }, ...errors } },
    },
    async (req, reply) => {
      await svc.revokeTerminal(requirePrincipal(req), req.params.taxCode, req.params.id);
      return reply.code(204).send();
    },
  );
}
