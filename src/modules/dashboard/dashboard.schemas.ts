// Request and response schemas of /v1/dashboard/*: the read-only figures the staff web app shows
// beyond /v1/stats and /v1/risk.
import { problemRef } from '../../plugins/problems.js';
export const problem = problemRef;

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

export const meResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'provinces'],
  properties: {
    role: { type: 'string', enum: ['officer', 'admin'] },
    provinces: {
      type: 'array',
      description: 'The provinces this token sees (all 34 for an admin), by code',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'name'],
        properties: { code: { type: 'string' }, name: { type: 'string' } },
      },
    },
  },
} as const;

export interface ProvincesQuery {
  from?: string;
  to?: string;
}

export const provincesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...DATE, description: 'First business date (inclusive, Asia/Ho_Chi_Minh); default 29 days before to' },
    to: { ...DATE, description: 'Last business date (inclusive); default today' },
  },
} as const;

const count = { type: 'integer' } as const;
const money = { type: 'integer', description: 'VND' } as const;

export const provincesResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'items'],
  properties: {
    from: DATE,
    to: DATE,
    items: {
      type: 'array',
      description: 'Provinces with an active business or invoices in the range, by code; an officer sees its own only',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['provinceCode', 'name', 'businesses', 'terminals', 'invoices', 'revenue', 'total', 'late', 'flagged'],
        properties: {
          provinceCode: { type: 'string' },
          name: { type: 'string' },
          businesses: { ...count, description: 'Active (registered) businesses now' },
          terminals: { ...count, description: 'Terminals not revoked, of active businesses' },
          invoices: { ...count, description: 'Invoices issued in the range' },
          revenue: { ...money, description: 'Σ before VAT in the range' },
          total: { ...money, description: 'Σ paid by buyers in the range' },
          late: { ...count, description: 'Invoices of the range accepted after their deadline' },
          flagged: { ...count, description: 'Businesses with a risk score above 0 in the latest evaluation' },
        },
      },
    },
  },
} as const;

export const taxCodeParams = {
  type: 'object',
  additionalProperties: false,
  required: ['taxCode'],
  properties: { taxCode: { type: 'string', pattern: '^(\\d{10}(-\\d{3})?|\\d{12})$' } },
} as const;

export const healthResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['taxCode', 'sequences', 'signatures'],
  properties: {
    taxCode: { type: 'string' },
    sequences: {
      type: 'array',
      description: 'Each numbering series (form + symbol); numbers must run from 1 without gaps',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['form', 'symbol', 'first', 'last', 'invoices', 'missing', 'gaps', 'allocatedBeyond', 'healthy'],
        properties: {
          form: count,
          symbol: { type: 'string', description: 'With the form digit, e.g. 1C26MAA' },
          first: count,
          last: count,
          invoices: count,
          missing: { ...count, description: 'Numbers between 1 and last with no invoice' },
          gaps: {
            type: 'array',
            description: 'The first missing runs (inclusive)',
            items: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: count, to: count } },
          },
          allocatedBeyond: { ...count, description: 'Numbers handed out after the last stored invoice' },
          healthy: { type: 'boolean' },
        },
      },
    },
    signatures: {
      type: 'array',
      description: "The newest invoices' seller signatures, verified now over the stored XML",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['invoiceId', 'valid'],
        properties: {
          invoiceId: { type: 'string', format: 'uuid' },
          valid: { type: 'boolean' },
          reason: { type: 'string', description: 'Why the signature does not verify' },
        },
      },
    },
  },
} as const;
