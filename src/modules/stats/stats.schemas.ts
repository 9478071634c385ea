// Request and response schemas of /v1/stats/*. What a pattern cannot say (a real date, from ≤ to,
// the number of buckets) is checked in stats.service.ts.
import { problemRef } from '../../plugins/problems.js';
export const problem = problemRef;

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const DATE_OR_INSTANT = '^\\d{4}-\\d{2}-\\d{2}([Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:?\\d{2}))?$';
const PROVINCE = { type: 'string', pattern: '^\\d{2}$', description: 'Province (2-digit statistics-office code)' } as const;

export interface VolumeQuery {
  from?: string;
  to?: string;
  granularity: Granularity;
  provinceCode?: string;
  taxCode?: string;
}

export const volumeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      maxLength: 40,
      pattern: DATE_OR_INSTANT,
      description:
        'Issued on or after: a date YYYY-MM-DD (Asia/Ho_Chi_Minh) or an instant with offset; the series starts with the bucket holding it. ' +
        'Default: today (hour), 29 days before today (day), 11 months before this month (month).',
    },
    to: {
      type: 'string',
      maxLength: 40,
      pattern: DATE_OR_INSTANT,
      description: 'Issued on or before (inclusive), a date or an instant; the series ends with the bucket holding it. Default: now.',
    },
    granularity: { type: 'string', enum: GRANULARITIES, default: 'day', description: 'Bucket size, in Asia/Ho_Chi_Minh time' },
    provinceCode: PROVINCE,
    taxCode: { type: 'string', pattern: '^(\\d{10}(-\\d{3})?|\\d{12})$', description: "Seller's tax code" },
  },
} as const;

const money = { type: 'integer', description: 'VND' } as const;

export const volumeResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['series'],
  properties: {
    series: {
      type: 'array',
      description: 'Every bucket of the range, oldest first, zeros included',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['bucket', 'invoices', 'revenue', 'vat', 'total', 'businesses', 'replacements', 'adjustments'],
        properties: {
          bucket: { type: 'string', format: 'date-time', description: 'Start of the bucket, +07:00' },
          invoices: { type: 'integer', description: 'Invoices issued in the bucket (replaced originals drop out; adjustments count)' },
          revenue: { ...money, description: 'Σ amounts before VAT (TgTCThue), VND; adjustments with their sign' },
          vat: { ...money, description: 'Σ VAT (TgTThue), VND' },
          total: { ...money, description: 'Σ paid by buyers (TgTTTBSo), VND' },
          businesses: { type: 'integer', description: 'Businesses with at least one invoice in the bucket' },
          replacements: { type: 'integer', description: 'Replacement invoices issued in the bucket' },
          adjustments: { type: 'integer', description: 'Adjustment invoices issued in the bucket' },
        },
      },
    },
  },
} as const;

export const overviewQuery = { type: 'object', additionalProperties: false, properties: { provinceCode: PROVINCE } } as const;

export const overviewResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['businesses', 'terminals', 'today', 'backlog', 'lateInvoices'],
  properties: {
    businesses: {
      type: 'object',
      additionalProperties: false,
      required: ['registered', 'active'],
      properties: {
        registered: { type: 'integer', description: 'Registered with the authority (status active): may issue invoices' },
        active: { type: 'integer', description: 'Of those, the ones that issued an invoice in the last 7 days (today included)' },
      },
    },
    terminals: { type: 'integer', description: 'Terminals not revoked, of registered businesses' },
    today: {
      type: 'object',
      additionalProperties: false,
      required: ['invoices', 'revenue', 'vat', 'total'],
      description: 'Issued today (Asia/Ho_Chi_Minh)',
      properties: { invoices: { type: 'integer' }, revenue: money, vat: money, total: money },
    },
    backlog: {
      type: 'object',
      additionalProperties: false,
      required: ['pending', 'oldestAgeSeconds'],
      properties: {
        pending: { type: 'integer', description: 'Invoices not yet accepted or rejected by the authority' },
        oldestAgeSeconds: { type: 'integer', description: 'Age of the oldest of them (0 when none)' },
      },
    },
    lateInvoices: {
      type: 'integer',
      description: 'Invoices of the last 30 days accepted after their deadline, plus those still pending past it',
    },
  },
} as const;
