// Request and response schemas of the sales routes. Every field is typed and bounded so that ajv
// (allErrors) reports every bad field in one 422; the domain rules (decimals, rates, IDs, time
// window) run after it in the service.
import { problemRef } from '../../plugins/problems.js';
import { MAX_CODE_LENGTH, MAX_LINES, MAX_NAME_LENGTH, MAX_UNIT_LENGTH } from '../../domain/line-input.js';
import type { PaymentMethod } from './invoice-document.js';

/** The bodies as the schemas below let them through. */
export interface SaleItemBody {
  code?: string;
  name: string;
  unit?: string;
  quantity: number;
  unitPrice: number;
  discount?: number;
  vatRate?: string;
}

export interface BuyerBody {
  personalId?: string;
  taxCode?: string;
  name?: string;
  address?: string;
  phone?: string;
  idCardQr?: string;
}

export interface SaleBody {
  soldAt: string;
  pricesIncludeVat: boolean;
  items: SaleItemBody[];
  payment: { method: PaymentMethod };
  buyer?: BuyerBody;
}

/** Largest single number the schema accepts; the invoice ceiling (INVOICE_CEILING) is checked later. */
export const MAX_VND = Number.MAX_SAFE_INTEGER;
/** A quantity has at most 15 integer digits (domain/decimal.ts). */
export const MAX_QUANTITY = 999_999_999_999_999;

export const IDEMPOTENCY_KEY_MAX = 128;

export const idempotencyKey = {
  type: 'string',
  minLength: 1,
  maxLength: IDEMPOTENCY_KEY_MAX,
  pattern: '^[\\x20-\\x7E]+$',
  description: 'Unique per terminal (1–128 printable ASCII characters); a retry with the same key and body replays the first answer',
} as const;

const text = (maxLength: number, description?: string) =>
  ({ type: 'string', maxLength, ...(description ? { description } : {}) }) as const;

export const saleItem = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'quantity', 'unitPrice'],
  properties: {
    code: text(MAX_CODE_LENGTH, 'Item code (MHHDVu)'),
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'Item name (THHDVu)' },
    unit: text(MAX_UNIT_LENGTH, 'Unit (DVTinh), e.g. "bát"'),
    quantity: { type: 'number', exclusiveMinimum: 0, maximum: MAX_QUANTITY, description: '> 0, at most 6 decimals' },
    unitPrice: { type: 'integer', minimum: 0, maximum: MAX_VND, description: 'VND; VAT-inclusive when pricesIncludeVat' },
    discount: { type: 'integer', minimum: 0, maximum: MAX_VND, default: 0, description: 'VND taken off the line' },
    vatRate: text(10, '0% 5% 8% 10% KCT KKKNT KHAC:d.dd; required for form-1 businesses, ignored for form 2'),
  },
} as const;

export const buyer = {
  type: 'object',
  additionalProperties: false,
  description: 'Only what the buyer asks to be printed; empty strings count as absent',
  properties: {
    personalId: text(20, '12-digit personal ID (CCCD); masked everywhere except the legal XML'),
    taxCode: text(20, '10 digits, 10-3 for a branch, or 12 digits'),
    name: text(400, 'Organisation name with a tax code, otherwise the person (at most 100 characters then)'),
    address: text(400),
    phone: text(20),
    idCardQr: text(1000, 'Raw QR text of a chip ID card: ID|oldID|name|ddMMyyyy|sex|address|ddMMyyyy'),
  },
} as const;

export const saleProperties = {
  soldAt: { type: 'string', maxLength: 40, description: 'ISO-8601 with offset; ≤ 5 minutes ahead, within OFFLINE_WINDOW_HOURS' },
  pricesIncludeVat: { type: 'boolean' },
  items: { type: 'array', minItems: 1, maxItems: MAX_LINES, items: saleItem },
  payment: {
    type: 'object',
    additionalProperties: false,
    required: ['method'],
    properties: { method: { type: 'string', enum: ['cash', 'card', 'transfer', 'ewallet', 'mixed'] } },
  },
  buyer,
} as const;

export const saleRequired = ['soldAt', 'pricesIncludeVat', 'items', 'payment'] as const;

export const saleBody = {
  type: 'object',
  additionalProperties: false,
  required: [...saleRequired],
  properties: saleProperties,
} as const;

export const batchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sales'],
  properties: {
    sales: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      description: 'Processed in order, each on its own',
      items: {
        type: 'object',
        description:
          'A POST /v1/sales body (soldAt, pricesIncludeVat, items, payment, buyer) plus its idempotencyKey. ' +
          'The sale itself is validated one by one, so a bad sale gets its own 422 result and does not stop the others.',
        required: ['idempotencyKey'],
        properties: { idempotencyKey },
      },
    },
  },
} as const;

export const problem = problemRef;

export const invoice = {
  type: 'object',
  required: [
    'invoiceId', 'symbol', 'number', 'code', 'issuedAt', 'businessDate', 'saleDate', 'issuedLate',
    'totals', 'totalInWords', 'qr', 'lookupUrl', 'status', 'transmission',
  ],
  properties: {
    invoiceId: { type: 'string', format: 'uuid' },
    symbol: { type: 'string', description: 'With the form digit, e.g. 1C26MAA' },
    number: { type: 'integer' },
    code: { type: 'string', description: 'MCCQT, 23 characters' },
    issuedAt: { type: 'string', description: 'Time of issue, +07:00' },
    businessDate: { type: 'string', description: 'Date of issue (NLap), Asia/Ho_Chi_Minh' },
    saleDate: { type: 'string', description: 'Date of soldAt, Asia/Ho_Chi_Minh' },
    issuedLate: { type: 'boolean', description: 'businessDate after saleDate (offline sale posted later)' },
    totals: {
      type: 'object',
      required: ['beforeVat', 'vat', 'total', 'byRate'],
      properties: {
        beforeVat: { type: 'integer' },
        vat: { type: 'integer' },
        total: { type: 'integer' },
        byRate: {
          type: 'array',
          items: {
            type: 'object',
            required: ['rate', 'beforeVat', 'vat'],
            properties: { rate: { type: 'string' }, beforeVat: { type: 'integer' }, vat: { type: 'integer' } },
          },
        },
      },
    },
    totalInWords: { type: 'string' },
    qr: { type: 'string', description: 'DLQRCode TLV text, for the POS to render' },
    lookupUrl: { type: 'string' },
    status: { type: 'string', enum: ['issued'] },
    transmission: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['pending', 'sent', 'accepted', 'rejected'] } },
    },
  },
} as const;

export const commonProblems = {
  400: problem,
  401: problem,
  403: problem,
  413: problem,
  415: problem,
  422: problem,
  503: problem,
} as const;

export const sellSchema = {
  tags: ['sales'],
  operationId: 'postSale',
  summary: 'Issue the invoice of one sale',
  description:
    'Same Idempotency-Key and body: 200 with the first answer and Idempotent-Replayed: true (a duplicate still in flight waits). ' +
    'Same key, another body: 409 idempotency.conflict.',
  security: [{ bearer: [] }],
  headers: { type: 'object', required: ['idempotency-key'], properties: { 'idempotency-key': idempotencyKey } },
  body: saleBody,
  response: {
    201: { ...invoice, description: 'Issued' },
    200: {
      ...invoice,
      description: 'Replay of the first answer to this Idempotency-Key',
      headers: { 'idempotent-replayed': { type: 'string', enum: ['true'] } },
    },
    409: { ...problem, description: 'idempotency.conflict, business.not_active, certificate.expired, certificate.not_yet_valid' },
    ...commonProblems,
  },
} as const;

export const batchResult = {
  type: 'object',
  required: ['idempotencyKey', 'status'],
  properties: {
    idempotencyKey: { type: 'string' },
    status: { type: 'integer', enum: [200, 201, 409, 422] },
    invoice,
    error: problem,
  },
} as const;

export const batchSchema = {
  tags: ['sales'],
  operationId: 'postSalesBatch',
  summary: 'Offline catch-up: up to 500 sales, in order, each idempotent on its own key',
  security: [{ bearer: [] }],
  body: batchBody,
  response: {
    200: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: batchResult } } },
    ...commonProblems,
  },
} as const;
