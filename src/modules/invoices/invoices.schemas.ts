// Request and response schemas of the invoice search, detail, XML, export and lookup routes.
// Query strings are bounded here (ajv reports every bad field at once); what a pattern cannot say
// (a real date, from ≤ to, a readable cursor) is checked in filters.ts.
import { problemRef } from '../../plugins/problems.js';
export const problem = problemRef;

const TAX_CODE = '^(\\d{10}(-\\d{3})?|\\d{12})$';
const MTT_CODE = '^M[1-9]-\\d{2}-[A-Z0-9]{5}-\\d{11}$';
const DATE_OR_INSTANT = '^\\d{4}-\\d{2}-\\d{2}([Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:?\\d{2}))?$';
/** Totals are signed: adjustment invoices may take money off. */
const MAX_VND = Number.MAX_SAFE_INTEGER;

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;

const filterProperties = {
  taxCode: { type: 'string', pattern: TAX_CODE, description: "Seller's tax code" },
  provinceCode: { type: 'string', pattern: '^\\d{2}$', description: "Seller's province (2-digit code)" },
  from: {
    type: 'string',
    maxLength: 40,
    pattern: DATE_OR_INSTANT,
    description: 'Issued on or after: a date YYYY-MM-DD (Asia/Ho_Chi_Minh, inclusive) or an instant with offset',
  },
  to: {
    type: 'string',
    maxLength: 40,
    pattern: DATE_OR_INSTANT,
    description: 'Issued on or before: a date YYYY-MM-DD (Asia/Ho_Chi_Minh, inclusive) or an instant with offset (inclusive)',
  },
  status: { type: 'string', enum: ['issued', 'replaced', 'adjusted'], description: 'Invoice status' },
  transmission: { type: 'string', enum: ['pending', 'sent', 'accepted', 'rejected'], description: 'Transmission status' },
  code: { type: 'string', pattern: MTT_CODE, description: 'MCCQT, e.g. M1-26-A1B2C-00000000042' },
  terminalId: { type: 'string', format: 'uuid' },
  minTotal: { type: 'integer', minimum: -MAX_VND, maximum: MAX_VND, description: 'Total (VND) at least' },
  maxTotal: { type: 'integer', minimum: -MAX_VND, maximum: MAX_VND, description: 'Total (VND) at most' },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
    cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' },
  },
} as const;

export const exportQuery = { type: 'object', additionalProperties: false, properties: filterProperties } as const;

export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const lookupQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['total'],
  description: 'Either code, or taxCode + symbol + number; always the total',
  properties: {
    code: filterProperties.code,
    taxCode: filterProperties.taxCode,
    symbol: { type: 'string', pattern: '^[1-9]C\\d{2}M[A-Z]{2}$', description: 'With the form digit, e.g. 1C26MAA' },
    number: { type: 'integer', minimum: 1, maximum: 99_999_999 },
    total: { type: 'integer', minimum: -MAX_VND, maximum: MAX_VND, description: 'Total printed on the invoice (VND)' },
  },
} as const;

const time = (description: string) => ({ type: 'string', description: `${description}, ISO-8601 +07:00` }) as const;
const nullableTime = (description: string) => ({ type: ['string', 'null'], description: `${description}, ISO-8601 +07:00` }) as const;
const txStatus = { type: 'string', enum: ['pending', 'sent', 'accepted', 'rejected'] } as const;

const maskedBuyer = {
  type: ['object', 'null'],
  description: 'As printed; the personal ID only masked (001*******45)',
  properties: {
    name: { type: 'string' },
    taxCode: { type: 'string' },
    address: { type: 'string' },
    phone: { type: 'string' },
    personalIdMasked: { type: 'string' },
  },
} as const;

const totals = {
  type: 'object',
  required: ['beforeVat', 'vat', 'total'],
  properties: { beforeVat: { type: 'integer' }, vat: { type: 'integer' }, total: { type: 'integer' } },
} as const;

export const listItem = {
  type: 'object',
  required: ['id', 'taxCode', 'provinceCode', 'symbol', 'number', 'code', 'issuedAt', 'businessDate', 'totals', 'status', 'transmission'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    taxCode: { type: 'string' },
    sellerName: { type: 'string' },
    provinceCode: { type: 'string' },
    terminalId: { type: ['string', 'null'] },
    kind: { type: 'string', enum: ['original', 'replacement', 'adjustment'] },
    corrects: { type: ['string', 'null'], description: 'A replacement or adjustment: the invoice it corrects (its status says replaced/adjusted)' },
    symbol: { type: 'string', description: 'With the form digit, e.g. 1C26MAA' },
    number: { type: 'integer' },
    code: { type: 'string', description: 'MCCQT' },
    issuedAt: time('Time of issue'),
    businessDate: { type: 'string', description: 'Date of issue (NLap), Asia/Ho_Chi_Minh' },
    totals,
    status: { type: 'string', enum: ['issued', 'replaced', 'adjusted'] },
    transmission: {
      type: 'object',
      required: ['status', 'late'],
      properties: { status: txStatus, late: { type: 'boolean', description: 'Accepted after the end of its business day' } },
    },
    buyer: maskedBuyer,
  },
} as const;

export const listResponse = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: listItem },
    nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null on the last page' },
  },
} as const;

export const invoiceRef = {
  type: 'object',
  required: ['invoiceId', 'symbol', 'number', 'issuedAt'],
  properties: { invoiceId: { type: 'string' }, symbol: { type: 'string' }, number: { type: 'integer' }, issuedAt: time('Time of issue') },
} as const;

const line = {
  type: 'object',
  required: ['index', 'kind', 'name', 'quantity', 'unitPrice', 'discount', 'amount'],
  properties: {
    index: { type: 'integer' },
    kind: { type: 'integer', description: 'TChat: 1 goods/services, 2 promotion, 3 trade discount, 4 note' },
    code: { type: 'string' },
    name: { type: 'string' },
    unit: { type: 'string' },
    quantity: { type: 'string', description: 'Canonical decimal' },
    unitPrice: { type: 'string', description: 'Net unit price (DGia), canonical decimal' },
    grossUnitPrice: { type: 'integer', description: 'VAT-inclusive unit price, when prices include VAT' },
    discount: { type: 'integer' },
    gross: { type: 'integer' },
    amount: { type: 'integer', description: 'ThTien, before VAT' },
    vatRate: { type: 'string' },
  },
} as const;

const historyEntry = {
  type: 'object',
  required: ['at', 'event'],
  properties: {
    at: time('When'),
    event: { type: 'string', description: 'invoice.issued, message.built, message.received, message.refused, message.answered, invoice.rejected' },
    messageId: { type: ['string', 'null'] },
    detail: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export const invoiceDetail = {
  type: 'object',
  required: ['id', 'seller', 'symbol', 'number', 'code', 'issuedAt', 'businessDate', 'lines', 'totals', 'status', 'transmission'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: ['original', 'replacement', 'adjustment'] },
    seller: {
      type: 'object',
      required: ['taxCode', 'name'],
      properties: { taxCode: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' }, provinceCode: { type: 'string' } },
    },
    terminalId: { type: ['string', 'null'] },
    symbol: { type: 'string', description: 'With the form digit' },
    number: { type: 'integer' },
    code: { type: 'string', description: 'MCCQT' },
    issuedAt: time('Time of issue'),
    businessDate: { type: 'string' },
    soldAt: time('Time of sale'),
    saleDate: { type: 'string' },
    issuedLate: { type: 'boolean' },
    pricesIncludeVat: { type: 'boolean' },
    payment: { type: 'object', properties: { method: { type: 'string' } } },
    buyer: maskedBuyer,
    lines: { type: 'array', items: line },
    totals: {
      type: 'object',
      required: ['beforeVat', 'vat', 'total', 'byRate'],
      properties: {
        ...totals.properties,
        byRate: {
          type: 'array',
          items: { type: 'object', properties: { rate: { type: 'string' }, beforeVat: { type: 'integer' }, vat: { type: 'integer' } } },
        },
      },
    },
    totalInWords: { type: 'string' },
    qr: { type: 'string' },
    lookupUrl: { type: 'string' },
    status: { type: 'string', enum: ['issued', 'replaced', 'adjusted'] },
    replaces: { ...invoiceRef, type: ['object', 'null'] },
    replacedBy: { ...invoiceRef, type: ['object', 'null'] },
    adjusts: { ...invoiceRef, type: ['object', 'null'], description: 'The invoice this adjustment adjusts' },
    adjustments: { type: 'array', items: invoiceRef },
    transmission: {
      type: 'object',
      required: ['status', 'messageId', 'attempts', 'lastError', 'acceptedAt', 'late', 'history'],
      properties: {
        status: txStatus,
        messageId: { type: ['string', 'null'], description: 'The 206 message carrying it now' },
        attempts: { type: 'integer' },
        lastError: { type: ['string', 'null'] },
        acceptedAt: nullableTime('Accepted by the authority'),
        late: { type: 'boolean', description: 'Accepted after the end of its business day' },
        history: { type: 'array', items: historyEntry },
      },
    },
    notices: {
      type: 'array',
      description: 'Notices of errors (303) sent about this invoice, and the authority\'s 301 result',
      items: {
        type: 'object',
        required: ['id', 'kind', 'status', 'reason', 'messageId', 'result', 'createdAt', 'answeredAt'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', enum: ['adjust', 'replace', 'explain'], description: 'TCTBao 2, 3, 4' },
          status: { type: 'string', enum: ['waiting', 'sent', 'received', 'refused', 'cancelled'] },
          reason: { type: 'string' },
          messageId: { type: ['string', 'null'], description: 'The 303 carrying it' },
          result: {
            type: ['object', 'null'],
            properties: {
              received: { type: 'boolean' },
              reason: { type: 'string' },
              reasons: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
          createdAt: time('Requested'),
          answeredAt: nullableTime('The 301 arrived'),
        },
      },
    },
  },
} as const;

export const lookupResponse = {
  type: 'object',
  required: ['seller', 'symbol', 'number', 'code', 'issuedAt', 'businessDate', 'total', 'status', 'transmission'],
  properties: {
    seller: { type: 'object', required: ['taxCode', 'name'], properties: { taxCode: { type: 'string' }, name: { type: 'string' } } },
    symbol: { type: 'string' },
    number: { type: 'integer' },
    code: { type: 'string' },
    issuedAt: time('Time of issue'),
    businessDate: { type: 'string' },
    total: { type: 'integer' },
    status: { type: 'string', enum: ['issued', 'replaced', 'adjusted'] },
    transmission: {
      type: 'object',
      required: ['status', 'receivedByAuthority'],
      properties: {
        status: txStatus,
        receivedByAuthority: { type: 'boolean', description: 'The authority has accepted the invoice ("đã nhận")' },
      },
    },
  },
} as const;

/** Non-JSON bodies, described for the OpenAPI document. */
export const xmlResponse = {
  description: 'The signed invoice exactly as stored (carries the buyer personal ID in full)',
  content: { 'application/xml': { schema: { type: 'string' } } },
} as const;

export const csvResponse = {
  description: 'UTF-8 CSV with BOM, one row per invoice, newest first',
  content: { 'text/csv': { schema: { type: 'string' } } },
} as const;
