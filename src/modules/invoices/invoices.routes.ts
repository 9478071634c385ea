import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured } from '../../plugins/auth.js';
import type { FilterQuery, ListQuery } from './filters.js';
import * as s from './invoices.schemas.js';
import { createInvoicesService, type LookupQuery } from './invoices.service.js';

type IdParams = { id: string };
const errors = { 401: s.problem, 403: s.problem, 404: s.problem, 422: s.problem, 503: s.problem } as const;

export default async function invoicesRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const svc = createInvoicesService({ db: deps.database.db, config: deps.config, clock: deps.clock });

  app.get<{ Querystring: ListQuery }>(
    '/v1/invoices',
    {
      config: { auth: ['biz', 'stf'] },
      schema: {
        tags: ['invoices'],
        operationId: 'searchInvoices',
        summary: 'Search invoices, newest first, with cursor pagination',
        description: 'A business sees its own invoices, an officer those of its provinces; a filter outside them returns nothing.',
        ...secured,
        querystring: s.listQuery,
        response: { 200: s.listResponse, ...errors },
      },
    },
    async (req) => svc.list(requirePrincipal(req), req.query),
  );

  app.get<{ Querystring: FilterQuery }>(
    '/v1/invoices/export',
    {
      config: { auth: ['stf'] },
      schema: {
        tags: ['invoices'],
        operationId: 'exportInvoices',
        summary: 'The invoices of a filter as CSV (UTF-8 with BOM), streamed',
        ...secured,
        querystring: s.exportQuery,
        response: { 200: s.csvResponse, ...errors },
      },
    },
    async (req, reply) => {
      const { fileName, body } = await svc.exportCsv(requirePrincipal(req), req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/invoices/:id',
    {
      config: { auth: ['biz', 'trm', 'stf'] },
      schema: {
        tags: ['invoices'],
        operationId: 'getInvoice',
        summary: 'One invoice with its lines, totals and transmission history (buyer personal ID masked)',
        ...secured,
        params: s.idParams,
        response: { 200: s.invoiceDetail, ...errors },
      },
    },
    async (req) => svc.detail(requirePrincipal(req), req.params.id),
  );

  app.get<{ Params: IdParams }>(
    '/v1/invoices/:id/xml',
    {
      config: { auth: ['biz', 'trm', 'stf'] },
      schema: {
        tags: ['invoices'],
        operationId: 'getInvoiceXml',
        summary: 'The signed invoice XML exactly as stored (the legal document); staff reads are audited',
        ...secured,
        params: s.idParams,
        response: { 200: s.xmlResponse, ...errors },
      },
    },
    async (req, reply) => {
      const { xml, code } = await svc.xml(requirePrincipal(req), req.params.id);
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `inline; filename="${code}.xml"`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(xml, 'utf8'));
    },
  );

  app.get<{ Querystring: LookupQuery }>(
    '/v1/lookup',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['lookup'],
        operationId: 'lookupInvoice',
        summary: "Public check of an invoice, like the tax authority's portal: by code + total, or tax code + symbol + number + total",
        description: 'Any mismatch, a wrong total included, is the same 404. Nothing about the buyer is shown.',
        querystring: s.lookupQuery,
        response: { 200: s.lookupResponse, 404: s.problem, 422: s.problem, 429: s.problem, 503: s.problem },
      },
    },
    async (req) => svc.lookup(req.query),
  );
}
