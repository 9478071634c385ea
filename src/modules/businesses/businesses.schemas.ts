// Request and response schemas of the business, terminal and key routes (OpenAPI + validation).
import { problemRef } from '../../plugins/problems.js';
const text = (maxLength: number, extra: object = {}) => ({ type: 'string', minLength: 1, maxLength, ...extra }) as const;
export const problem = problemRef;

const terminal = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    location: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'name', 'createdAt'],
} as const;

export const certificateView = {
  type: 'object',
  properties: {
    subject: { type: 'string' },
    serial: { type: 'string' },
    notBefore: { type: 'string', format: 'date-time' },
    notAfter: { type: 'string', format: 'date-time' },
    expiresInDays: { type: 'integer' },
    expiresSoon: { type: 'boolean', description: 'Expires within 30 days: renew it' },
  },
  required: ['subject', 'serial', 'notBefore', 'notAfter', 'expiresInDays', 'expiresSoon'],
} as const;

const pkcs12Body = {
  type: 'object',
  additionalProperties: false,
  required: ['pkcs12', 'password'],
  properties: {
    pkcs12: { type: 'string', minLength: 16, maxLength: 200_000, pattern: '^[A-Za-z0-9+/=\\s]+$', description: 'The .p12/.pfx file, base64' },
    password: { type: 'string', maxLength: 256 },
  },
} as const;

export const registerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['taxCode', 'name', 'address', 'provinceCode', 'email', 'invoiceForm', 'certificate', 'legalRepresentative'],
  properties: {
    taxCode: text(20, { description: '10 digits, 10-3 branch, or a household’s 12-digit personal ID' }),
    name: text(400),
    address: text(400),
    provinceCode: { type: 'string', pattern: '^[0-9]{2}$' },
    sector: { type: 'string', enum: ['restaurant', 'retail', 'hotel', 'transport', 'entertainment', 'services'] },
    taxOfficeCode: { type: 'string', pattern: '^[A-Z0-9]{5}$' },
    phone: { type: 'string', pattern: '^[0-9+ ()-]{6,20}$' },
    email: { type: 'string', format: 'email', maxLength: 254 },
    invoiceForm: { type: 'integer', enum: [1, 2] },
    symbolSeries: { type: 'string', pattern: '^[A-Z]{2}$' },
    certificate: pkcs12Body,
    legalRepresentative: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'personalId', 'birthDate', 'sex', 'phone'],
      properties: {
        name: text(100),
        personalId: { type: 'string', pattern: '^[0-9]{12}$' },
        birthDate: { type: 'string', format: 'date' },
        sex: { type: 'string', enum: ['male', 'female'] },
        phone: { type: 'string', pattern: '^[0-9+ ()-]{6,20}$' },
      },
    },
  },
} as const;

export const registered = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    taxCode: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'active', 'rejected'] },
    apiKey: { type: 'string', description: 'The business key (biz_…), shown once' },
  },
  required: ['id', 'taxCode', 'status', 'apiKey'],
} as const;

export const businessView = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    taxCode: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    provinceCode: { type: 'string' },
    sector: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'active', 'rejected'] },
    mttCode: { type: ['string', 'null'] },
    symbol: { type: 'string' },
    invoiceForm: { type: 'integer' },
    rejectionReasons: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    legalRepresentative: { type: 'object', properties: { name: { type: 'string' }, personalIdMasked: { type: 'string' } } },
    certificate: { anyOf: [certificateView, { type: 'null' }] },
    terminals: { type: 'array', items: terminal },
    createdAt: { type: 'string', format: 'date-time' },
    activatedAt: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['taxCode', 'name', 'status', 'symbol', 'terminals'],
} as const;

export const taxCodeParams = {
  type: 'object',
  properties: { taxCode: { type: 'string', pattern: '^[0-9]{10}(-[0-9]{3})?$|^[0-9]{12}$' } },
  required: ['taxCode'],
} as const;

export const terminalParams = {
  type: 'object',
  properties: { ...taxCodeParams.properties, id: { type: 'string', format: 'uuid' } },
  required: ['taxCode', 'id'],
} as const;

export const terminalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: text(100), location: text(200) },
} as const;

export const terminalCreated = { ...terminal, properties: { ...terminal.properties, apiKey: { type: 'string', description: 'The terminal key (trm_…), shown once' } }, required: [...terminal.required, 'apiKey'] } as const;
export const terminalList = { type: 'array', items: terminal } as const;
export const renewBody = pkcs12Body;
export const apiKeyView = { type: 'object', properties: { apiKey: { type: 'string' } }, required: ['apiKey'] } as const;
