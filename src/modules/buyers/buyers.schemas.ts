// Request and response schemas of the buyer search and the audit log.
import { problemRef } from '../../plugins/problems.js';
export const problem = problemRef;

export const REASON_MIN = 5;
export const REASON_MAX = 500;
/** Items returned by one search; the summary always covers every match. */
export const SEARCH_ITEMS_MAX = 1000;

export const searchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['personalId', 'reason'],
  properties: {
    personalId: { type: 'string', minLength: 1, maxLength: 20, description: "The buyer's 12-digit personal ID (CCCD); in the body, never in a URL" },
    reason: { type: 'string', minLength: REASON_MIN, maxLength: REASON_MAX, description: 'Why the search is made (case, request); kept in the audit log' },
  },
} as const;

const time = (description: string) => ({ type: 'string', description: `${description}, ISO-8601 +07:00` }) as const;

export const searchResponse = {
  type: 'object',
  required: ['personalId', 'items', 'summary', 'truncated'],
  properties: {
    personalId: { type: 'string', description: 'The ID searched, in full: only this response shows it' },
    items: {
      type: 'array',
      description: `Newest first, at most ${SEARCH_ITEMS_MAX}`,
      items: {
        type: 'object',
        required: ['invoiceId', 'taxCode', 'sellerName', 'provinceCode', 'issuedAt', 'total', 'code', 'symbol', 'number'],
        properties: {
          invoiceId: { type: 'string', format: 'uuid' },
          taxCode: { type: 'string' },
          sellerName: { type: 'string' },
          provinceCode: { type: 'string' },
          issuedAt: time('Time of issue'),
          businessDate: { type: 'string' },
          total: { type: 'integer' },
          code: { type: 'string', description: 'MCCQT' },
          symbol: { type: 'string', description: 'With the form digit' },
          number: { type: 'integer' },
          status: { type: 'string', enum: ['issued', 'replaced', 'adjusted'] },
        },
      },
    },
    summary: {
      type: 'object',
      required: ['count', 'total', 'first', 'last'],
      properties: {
        count: { type: 'integer', description: 'Every match within the caller’s provinces' },
        total: { type: 'integer', description: 'Sum of their totals (VND)' },
        first: { type: ['string', 'null'], description: 'Earliest issue time, +07:00' },
        last: { type: ['string', 'null'], description: 'Latest issue time, +07:00' },
      },
    },
    truncated: { type: 'boolean', description: `More than ${SEARCH_ITEMS_MAX} matches: items holds the newest` },
  },
} as const;

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

export const auditResponse = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'at', 'actor', 'action'],
        properties: {
          id: { type: 'string' },
          at: time('When'),
          actor: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string' }, id: { type: 'string' } } },
          action: { type: 'string', description: 'buyer.search, invoice.xml, invoice.export' },
          subjectHash: { type: ['string', 'null'], description: 'HMAC of the personal ID under LOOKUP_KEY (`<keyId>:<hex>`), never the ID' },
          reason: { type: ['string', 'null'] },
          resultCount: { type: ['integer', 'null'] },
          detail: { type: ['object', 'null'], additionalProperties: true },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;
