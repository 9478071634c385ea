// Request and response schemas of the corrections (Circular 91/2026: replace or adjust, never
// cancel; explain minor errors in a 303). Bounded like the sale body so one 422 lists every field.
import { MAX_CODE_LENGTH, MAX_LINES, MAX_NAME_LENGTH, MAX_UNIT_LENGTH } from '../../domain/line-input.js';
import { invoiceRef, idParams } from '../invoices/invoices.schemas.js';
import {
  commonProblems,
  idempotencyKey,
  invoice,
  MAX_QUANTITY,
  MAX_VND,
  problem,
  saleProperties,
  saleRequired,
  type SaleBody,
  type SaleItemBody,
} from '../sales/sales.schemas.js';

/** GChu and LDo carry at most 255 characters. */
export const REASON_MAX = 255;

const reason = (description: string) => ({ type: 'string', minLength: 1, maxLength: REASON_MAX, description }) as const;

export interface ReplaceBody extends SaleBody {
  reason?: string;
}

export interface AdjustBody {
  reason: string;
  items: SaleItemBody[];
}

export interface ExplainBody {
  reason: string;
}

export const replaceBody = {
  type: 'object',
  additionalProperties: false,
  required: [...saleRequired],
  description: 'The corrected sale, as POST /v1/sales takes it; soldAt may be the original sale time however old',
  properties: { ...saleProperties, reason: reason('Why the original is replaced (TTHDLQuan/GChu)') },
} as const;

const adjustItem = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'quantity', 'unitPrice'],
  properties: {
    code: { type: 'string', maxLength: MAX_CODE_LENGTH },
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    unit: { type: 'string', maxLength: MAX_UNIT_LENGTH },
    quantity: { type: 'number', minimum: -MAX_QUANTITY, maximum: MAX_QUANTITY, not: { const: 0 }, description: 'Negative for returned goods' },
    unitPrice: { type: 'integer', minimum: 0, maximum: MAX_VND, description: "VND, on the original's price basis (VAT-inclusive or not)" },
    discount: { type: 'integer', minimum: -MAX_VND, maximum: MAX_VND, default: 0, description: 'VND; negative takes back a discount' },
    vatRate: { type: 'string', maxLength: 10 },
  },
} as const;

export const adjustBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'items'],
  properties: {
    reason: reason('Why the invoice is adjusted (TTHDLQuan/GChu), e.g. "Khách trả lại 1 bát phở"'),
    items: { type: 'array', minItems: 1, maxItems: MAX_LINES, items: adjustItem },
  },
} as const;

export const explainBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: reason('The minor error and its correct content (LDo), e.g. "Sai tên người mua: Nguyễn Văn An"') },
} as const;

export const correctionInvoice = {
  ...invoice,
  required: [...invoice.required, 'kind'],
  properties: {
    ...invoice.properties,
    kind: { type: 'string', enum: ['replacement', 'adjustment'] },
    replaces: { ...invoiceRef, description: 'The invoice this one replaces' },
    adjusts: { ...invoiceRef, description: 'The invoice this one adjusts' },
  },
} as const;

export const noticeAccepted = {
  type: 'object',
  required: ['noticeId', 'invoiceId', 'status'],
  properties: {
    noticeId: { type: 'string', format: 'uuid' },
    invoiceId: { type: 'string', format: 'uuid' },
    status: {
      type: 'string',
      enum: ['waiting', 'sent', 'received', 'refused', 'cancelled'],
      description: 'waiting: the invoice is not accepted by the authority yet; the 303 leaves once it is',
    },
  },
} as const;

const idempotent = { type: 'object', required: ['idempotency-key'], properties: { 'idempotency-key': idempotencyKey } } as const;
const conflicts = { ...problem, description: 'invoice.already_replaced, invoice.rejected, idempotency.conflict, business.not_active, certificate.expired' };
const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'] } } as const;

function issuing(operationId: string, summary: string, description: string, body: object) {
  return {
    tags: ['corrections'],
    operationId,
    summary,
    description,
    security: [{ bearer: [] }],
    params: idParams,
    headers: idempotent,
    body,
    response: {
      201: { ...correctionInvoice, description: 'Issued' },
      200: { ...correctionInvoice, description: 'Replay of the first answer to this Idempotency-Key', headers: replayed },
      404: problem,
      409: conflicts,
      ...commonProblems,
    },
  } as const;
}

export const replaceSchema = issuing(
  'replaceInvoice',
  'Replace a wrong invoice by a new one that references it (TCHDon 1)',
  'The new invoice gets the next number and a new code and travels in a 206 like any invoice; the original becomes `replaced`. ' +
    'An invoice is replaced once (409 invoice.already_replaced); a replacement can itself be replaced.',
  replaceBody,
);

export const adjustSchema = issuing(
  'adjustInvoice',
  'Adjust an invoice (returns, price corrections) with signed lines (TCHDon 2)',
  "Quantities and discounts may be negative; the totals are signed and in words start with “Âm” when negative. Price basis, buyer and payment come from the original, which becomes `adjusted` and can be adjusted again.",
  adjustBody,
);

export const explainSchema = {
  tags: ['corrections'],
  operationId: 'explainInvoice',
  summary: 'Report a minor error of an invoice to the authority (303, form 04/SS-HĐĐT)',
  description: "Business key only. The 303 leaves once the invoice is accepted; the authority's 301 shows in the invoice's `notices`.",
  security: [{ bearer: [] }],
  params: idParams,
  body: explainBody,
  response: { 202: noticeAccepted, 404: problem, 409: { ...problem, description: 'invoice.rejected' }, ...commonProblems },
} as const;
