import { sql } from 'drizzle-orm';
import { customType, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export type BusinessStatus = 'pending' | 'active' | 'rejected';

export interface LegalRepresentativeView {
  name: string;
  personalIdMasked: string;
  birthDate: string;
  sex: 'male' | 'female';
  phone: string;
}

/** A seller registered through us. One tax code has at most one pending or active registration. */
export const businesses = pgTable(
  'businesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taxCode: text('tax_code').notNull(),
    name: text('name').notNull(),
    address: text('address').notNull(),
    provinceCode: text('province_code').notNull(),
    sector: text('sector').notNull().default('restaurant'),
    taxOfficeCode: text('tax_office_code').notNull(),
    phone: text('phone'),
    email: text('email').notNull(),
    invoiceForm: smallint('invoice_form').notNull(),
    symbolSeries: text('symbol_series').notNull().default('AA'),
    status: text('status').$type<BusinessStatus>().notNull().default('pending'),
    /** The 5-char code the authority assigns in its 103; part of every MCCQT. */
    mttCode: text('mtt_code'),
    rejectionReasons: jsonb('rejection_reasons').$type<Array<{ code: string; message: string }>>(),
    legalRepresentative: jsonb('legal_representative').$type<LegalRepresentativeView>().notNull(),
    /** The representative's full personal ID, AES-256-GCM under MASTER_KEY (needed in message 100). */
    legalRepresentativeSecret: text('legal_representative_secret').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('businesses_live_tax_code_uq').on(t.taxCode).where(sql`status in ('pending', 'active')`),
    index('businesses_tax_code_idx').on(t.taxCode),
    index('businesses_province_idx').on(t.provinceCode),
  ],
);

/** Seller certificates; the private key is stored encrypted and never leaves the process in clear. */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
    serial: text('serial').notNull(),
    subject: text('subject').notNull(),
    issuer: text('issuer').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    fingerprint: text('fingerprint').notNull(),
    certDer: bytea('cert_der').notNull(),
    /** `<keyId>:<base64 iv|tag|ciphertext>` of the PKCS#8 DER private key. */
    keyEncrypted: text('key_encrypted').notNull(),
    status: text('status').$type<'active' | 'retired'>().notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [index('certificates_business_idx').on(t.businessId, t.status)],
);

export const terminals = pgTable(
  'terminals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
    name: text('name').notNull(),
    location: text('location'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('terminals_business_idx').on(t.businessId)],
);

export const staff = pgTable('staff', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  role: text('role').$type<'officer' | 'admin'>().notNull(),
  provinces: text('provinces').array().notNull().default(sql`'{}'::text[]`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export type CredentialKind = 'biz' | 'trm' | 'stf';

/** Every bearer token, stored as its SHA-256; one indexed lookup authenticates a request. */
export const credentials = pgTable(
  'credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<CredentialKind>().notNull(),
    tokenHash: bytea('token_hash').notNull(),
    businessId: uuid('business_id').references(() => businesses.id),
    terminalId: uuid('terminal_id').references(() => terminals.id),
    staffId: uuid('staff_id').references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('credentials_token_hash_uq').on(t.tokenHash)],
);
