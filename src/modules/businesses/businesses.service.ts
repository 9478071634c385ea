// Registering businesses, renewing their certificates, rotating their keys, managing terminals.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { businesses, certificates, terminals } from '../../db/schema/index.js';
import { buildSymbol, formatSymbolWithForm } from '../../domain/codes.js';
import { businessYear } from '../../domain/dates.js';
import { checkPersonAgainstId, maskPersonalId } from '../../domain/personal-id.js';
import { isProvinceCode } from '../../domain/provinces.js';
import { validateTaxCode } from '../../domain/tax-code.js';
import { normaliseText } from '../../domain/text.js';
import { AppError, conflict, invalid, notFound, type FieldError } from '../../lib/errors.js';
import { CertificateError, loadPkcs12, type Signer } from '../../signing/pkcs12.js';
import { canSeeBusiness, type Principal } from '../../plugins/auth.js';
import { issueCredential, revokeCredentials } from '../staff/credentials.repo.js';
import { insertBusiness, LEGAL_REP_AAD, storeCertificate, type BusinessRow } from './businesses.repo.js';
import { certificateBlock, storeRegistrationMessage, taxOfficeName, type RegistrationInput } from './registration.js';
import type { Tx } from '../../db/client.js';
import { actorOf, recordSecurityEvent } from '../audit/security-events.js';

const certificateDetail = (s: Signer) => ({ fingerprint: s.info.fingerprintSha256, serial: s.info.serial, subject: s.info.subject, notAfter: s.info.notAfter.toISOString() });

export interface RegistrationRequest {
  taxCode: string;
  name: string;
  address: string;
  provinceCode: string;
  sector?: string;
  taxOfficeCode?: string;
  phone?: string;
  email: string;
  invoiceForm: 1 | 2;
  symbolSeries?: string;
  certificate: { pkcs12: string; password: string };
  legalRepresentative: { name: string; personalId: string; birthDate: string; sex: 'male' | 'female'; phone: string };
}

const DAY_MS = 86_400_000;

function openCertificate(pkcs12: string, password: string, taxCode: string, now: Date, path: string): Signer {
  const der = Buffer.from(pkcs12, 'base64');
  try {
    return loadPkcs12(der, password, { now, expectedTaxCode: taxCode });
  } catch (err) {
    if (err instanceof CertificateError) {
      throw new AppError(422, err.code, err.message, { errors: [{ path, message: err.message, code: err.code }] });
    }
    throw err;
  }
}

export function createBusinessesService(deps: Deps) {
  const db = deps.database.db;

  /** The live (pending or active) registration of a tax code, else its latest one. */
  async function findByTaxCode(taxCode: string): Promise<BusinessRow | undefined> {
    const rows = await db.select().from(businesses).where(eq(businesses.taxCode, taxCode)).orderBy(desc(businesses.createdAt)).limit(5);
    return rows.find((r) => r.status !== 'rejected') ?? rows[0];
  }

  async function visibleBusiness(principal: Principal, taxCode: string): Promise<BusinessRow> {
    const b = await findByTaxCode(taxCode);
    if (!b || !canSeeBusiness(principal, b)) throw notFound('Business');
    return b;
  }

  async function view(b: BusinessRow) {
    const [cert] = await db
      .select()
      .from(certificates)
      .where(and(eq(certificates.businessId, b.id), eq(certificates.status, 'active')))
      .orderBy(desc(certificates.createdAt))
      .limit(1);
    const terms = await db.select().from(terminals).where(eq(terminals.businessId, b.id)).orderBy(terminals.createdAt);
    const now = deps.clock();
    return {
      id: b.id,
      taxCode: b.taxCode,
      name: b.name,
      address: b.address,
      provinceCode: b.provinceCode,
      sector: b.sector,
      status: b.status,
      mttCode: b.mttCode,
      symbol: formatSymbolWithForm(b.invoiceForm, buildSymbol({ year: businessYear(now), series: b.symbolSeries })),
      invoiceForm: b.invoiceForm,
      ...(b.rejectionReasons ? { rejectionReasons: b.rejectionReasons } : {}),
      legalRepresentative: { name: b.legalRepresentative.name, personalIdMasked: b.legalRepresentative.personalIdMasked },
      certificate: cert ? certificateView(cert, now) : null,
      terminals: terms.map(terminalView),
      createdAt: b.createdAt.toISOString(),
      activatedAt: b.activatedAt?.toISOString() ?? null,
    };
  }

  /** Message 100: a first registration (1, certificate added) or a change (2, certificate renewed). */
  function registration(tx: Tx, business: BusinessRow, rep: RegistrationInput['legalRepresentative'], kind: 1 | 2, signer: Signer, now: Date) {
    return storeRegistrationMessage(tx, {
      business,
      legalRepresentative: rep,
      kind,
      signer,
      certificates: [certificateBlock(signer, kind)],
      taxOfficeName: taxOfficeName(business.taxOfficeCode),
      formatVersion: deps.config.formatVersion,
      providerTaxCode: deps.config.providerTaxCode,
      now,
    });
  }

  return {
    findByTaxCode,
    visibleBusiness,
    view,

    async register(req: RegistrationRequest) {
      const now = deps.clock();
      const errors: FieldError[] = [];
      const tax = validateTaxCode(req.taxCode, now);
      if (!tax.ok) throw invalid('tax_code.invalid', [{ path: '/taxCode', message: tax.message, code: `tax_code.${tax.reason}` }], `Tax code: ${tax.message}`);
      if (!isProvinceCode(req.provinceCode)) errors.push({ path: '/provinceCode', message: 'is not one of the 34 province codes', code: 'province.invalid' });
      if (errors.length) throw invalid('validation.failed', errors);
      const rep = req.legalRepresentative;
      const repIssues = checkPersonAgainstId(rep.personalId, rep.birthDate, rep.sex, now);
      if (repIssues.length) {
        throw invalid(
          'legal_representative.invalid',
          repIssues.map((i) => ({ path: `/legalRepresentative${i.path}`, message: i.message, code: i.code })),
          'The legal representative does not match their personal ID',
        );
      }
      const signer = openCertificate(req.certificate.pkcs12, req.certificate.password, tax.value, now, '/certificate');
      const existing = await findByTaxCode(tax.value);
      if (existing && existing.status !== 'rejected') throw conflict('business.exists', `Tax code ${tax.value} is already registered (${existing.status})`);

      try {
        const result = await db.transaction(async (tx) => {
          const business = await insertBusiness(tx, {
            taxCode: tax.value,
            name: normaliseText(req.name),
            address: normaliseText(req.address),
            provinceCode: req.provinceCode,
            sector: req.sector ?? 'restaurant',
            taxOfficeCode: req.taxOfficeCode ?? deps.config.taxOfficeCode,
            phone: req.phone ?? null,
            email: req.email,
            invoiceForm: req.invoiceForm,
            symbolSeries: req.symbolSeries ?? 'AA',
            legalRepresentative: {
              name: normaliseText(rep.name),
              personalIdMasked: maskPersonalId(rep.personalId),
              birthDate: rep.birthDate,
              sex: rep.sex,
              phone: rep.phone,
            },
            legalRepresentativeSecret: deps.box.encrypt(rep.personalId, LEGAL_REP_AAD),
            createdAt: now,
            updatedAt: now,
          });
          await storeCertificate(tx, deps.box, business.id, signer, now);
          const apiKey = await issueCredential(tx, 'biz', { businessId: business.id }, now);
          // Registration is open: the actor is the new business itself.
          const actor = { kind: 'biz', id: business.id } as const;
          await recordSecurityEvent(tx, { at: now, actor, action: 'token.created', detail: { tokenKind: 'biz', businessId: business.id, taxCode: business.taxCode } });
          await recordSecurityEvent(tx, { at: now, actor, action: 'certificate.added', detail: { businessId: business.id, taxCode: business.taxCode, ...certificateDetail(signer) } });
          const messageId = await registration(tx, business, { ...rep, name: normaliseText(rep.name) }, 1, signer, now);
          return { business, apiKey, messageId };
        });
        await deps.transmission.messageStored(result.messageId).catch((err) => deps.log.warn({ err }, 'could not schedule the registration'));
        return { id: result.business.id, taxCode: result.business.taxCode, status: result.business.status, apiKey: result.apiKey };
      } catch (err) {
        // Two registrations of one tax code at once: the partial unique index decides.
        if ((err as { cause?: { code?: string } }).cause?.code === '23505' || (err as { code?: string }).code === '23505') {
          throw conflict('business.exists', `Tax code ${tax.value} is already registered`);
        }
        throw err;
      }
    },

    async renewCertificate(principal: Principal, taxCode: string, body: { pkcs12: string; password: string }) {
      const b = await visibleBusiness(principal, taxCode);
      if (b.status === 'rejected') throw conflict('business.not_active', 'A rejected registration cannot renew its certificate; register again');
      const now = deps.clock();
      const signer = openCertificate(body.pkcs12, body.password, b.taxCode, now, '');
      const messageId = await db.transaction(async (tx) => {
        const [previous] = await tx
          .select({ fingerprint: certificates.fingerprint })
          .from(certificates)
          .where(and(eq(certificates.businessId, b.id), eq(certificates.status, 'active')));
        await storeCertificate(tx, deps.box, b.id, signer, now);
        await recordSecurityEvent(tx, {
          at: now,
          actor: actorOf(principal),
          action: 'certificate.changed',
          detail: { businessId: b.id, taxCode: b.taxCode, previousFingerprint: previous?.fingerprint ?? null, ...certificateDetail(signer) },
        });
        const rep = b.legalRepresentative;
        const personalId = deps.box.decrypt(b.legalRepresentativeSecret, LEGAL_REP_AAD).toString();
        return registration(tx, b, { name: rep.name, phone: rep.phone, birthDate: rep.birthDate, sex: rep.sex, personalId }, 2, signer, now);
      });
      deps.keystore.forget(b.id);
      await deps.transmission.messageStored(messageId).catch((err) => deps.log.warn({ err }, 'could not schedule the change registration'));
      return certificateView({ ...signer.info, fingerprint: signer.info.fingerprintSha256 }, now);
    },

    async rotateKey(principal: Principal, taxCode: string) {
      const b = await visibleBusiness(principal, taxCode);
      const now = deps.clock();
      const apiKey = await db.transaction(async (tx) => {
        await revokeCredentials(tx, 'biz', { businessId: b.id }, now);
        await recordSecurityEvent(tx, { at: now, actor: actorOf(principal), action: 'token.rotated', detail: { tokenKind: 'biz', businessId: b.id, taxCode: b.taxCode } });
        return issueCredential(tx, 'biz', { businessId: b.id }, now);
      });
      return { apiKey };
    },

    async listTerminals(principal: Principal, taxCode: string) {
      const b = await visibleBusiness(principal, taxCode);
      const rows = await db.select().from(terminals).where(eq(terminals.businessId, b.id)).orderBy(terminals.createdAt);
      return rows.map(terminalView);
    },

    async createTerminal(principal: Principal, taxCode: string, body: { name: string; location?: string }) {
      const b = await visibleBusiness(principal, taxCode);
      const now = deps.clock();
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(terminals)
          .values({ businessId: b.id, name: normaliseText(body.name), location: body.location ? normaliseText(body.location) : null, createdAt: now })
          .returning();
        const apiKey = await issueCredential(tx, 'trm', { businessId: b.id, terminalId: row!.id }, now);
        await recordSecurityEvent(tx, { at: now, actor: actorOf(principal), action: 'token.created', detail: { tokenKind: 'trm', businessId: b.id, terminalId: row!.id } });
        return { ...terminalView(row!), apiKey };
      });
    },

    async revokeTerminal(principal: Principal, taxCode: string, terminalId: string) {
      const b = await visibleBusiness(principal, taxCode);
      const now = deps.clock();
      const done = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(terminals)
          .set({ revokedAt: now })
          .where(and(eq(terminals.id, terminalId), eq(terminals.businessId, b.id), isNull(terminals.revokedAt)))
          .returning({ id: terminals.id });
        if (row) {
          await revokeCredentials(tx, 'trm', { terminalId }, now);
          await recordSecurityEvent(tx, { at: now, actor: actorOf(principal), action: 'token.revoked', detail: { tokenKind: 'trm', businessId: b.id, terminalId } });
        }
        return Boolean(row);
      });
      if (!done) {
        const [exists] = await db.select({ id: terminals.id }).from(terminals).where(and(eq(terminals.id, terminalId), eq(terminals.businessId, b.id)));
        if (!exists) throw notFound('Terminal');
      }
    },
  };
}

export type BusinessesService = ReturnType<typeof createBusinessesService>;

function terminalView(t: typeof terminals.$inferSelect) {
  return { id: t.id, name: t.name, location: t.location, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null };
}

function certificateView(c: { subject: string; serial: string; notBefore: Date; notAfter: Date; fingerprint?: string }, now: Date) {
  return {
    subject: c.subject,
    serial: c.serial,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    expiresInDays: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS),
    expiresSoon: c.notAfter.getTime() - now.getTime() < 30 * DAY_MS,
  };
}

