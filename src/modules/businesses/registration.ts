// Registration with the authority (form 01/ĐKTĐ-HĐĐT, message 100) and what its answers do:
// 102 is noted, 103 makes the business active with its 5-char MTT code, or rejected with reasons.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { businesses, messages, transmissionEvents } from '../../db/schema/index.js';
import { buildMessageId } from '../../domain/codes.js';
import { businessDate } from '../../domain/dates.js';
import { buildEnvelope } from '../../invoice/message.js';
import {
  buildRegistrationPayload,
  CASH_REGISTER_REGISTRATION,
  REGISTRATION_SIGNATURE_PLACEHOLDER,
  type RegistrationCertificate,
} from '../../invoice/registration.js';
import type { Signer } from '../../signing/pkcs12.js';
import { signEnveloped } from '../../signing/xmldsig.js';
import { senderCode } from '../../transmission/batcher.js';
import type { ReplyHandler } from '../../transmission/messenger.js';
import type { Reply } from '../../transmission/replies.js';
import type { BusinessRow } from './businesses.repo.js';

export interface RegistrationInput {
  business: BusinessRow;
  legalRepresentative: { name: string; phone: string; personalId: string; birthDate: string; sex: 'male' | 'female' };
  kind: 1 | 2;
  signer: Signer;
  /** The certificate block: the new one (1 add / 2 renew), and any retired (3 stop). */
  certificates: RegistrationCertificate[];
  taxOfficeName: string;
  formatVersion: string;
  providerTaxCode: string;
  now: Date;
}

/** The managing tax office as our messages name it (TCQT); the register of offices is not ours. */
export const taxOfficeName = (code: string): string => `Cơ quan thuế ${code}`;

/** Builds, signs and stores a 100 message ready to send; returns its MTDiep. */
export async function storeRegistrationMessage(tx: Tx, r: RegistrationInput): Promise<string> {
  const b = r.business;
  const messageId = buildMessageId(senderCode(r.providerTaxCode));
  const id = `_${randomUUID().replace(/-/g, '')}`;
  const payload = buildRegistrationPayload({
    id,
    version: r.formatVersion,
    kind: r.kind,
    business: { name: b.name, taxCode: b.taxCode },
    taxOffice: { name: r.taxOfficeName, code: b.taxOfficeCode },
    legalRepresentative: r.legalRepresentative,
    contact: { address: b.address, email: b.email, ...(b.phone ? { phone: b.phone } : {}) },
    place: b.address,
    date: businessDate(r.now),
    ...CASH_REGISTER_REGISTRATION,
    invoiceTypes: { vat: b.invoiceForm === 1, sales: b.invoiceForm === 2, publicAssets: false, nationalReserve: false, other: false, documents: false },
    certificates: r.certificates,
  });
  const unsigned = buildEnvelope(
    { version: r.formatVersion, sender: senderCode(r.providerTaxCode), receiver: 'TCT', type: 100, messageId, taxCode: b.taxCode, count: 1 },
    payload,
  );
  const xml = signEnveloped(unsigned, { signer: r.signer, referenceId: id, placeholder: REGISTRATION_SIGNATURE_PLACEHOLDER, signingTime: r.now });
  await tx.insert(messages).values({ id: messageId, type: 100, businessId: b.id, xml, itemCount: 1, nextAttemptAt: r.now, createdAt: r.now });
  await tx.insert(transmissionEvents).values({ at: r.now, messageId, event: 'registration.built', detail: { kind: r.kind } });
  return messageId;
}

export function certificateBlock(signer: Signer, action: 1 | 2 | 3, index = 1): RegistrationCertificate {
  return {
    index,
    issuer: organisation(signer.info.issuer),
    serial: signer.info.serial,
    validFrom: signer.info.notBefore,
    validTo: signer.info.notAfter,
    action,
  };
}

/** `O=` of a distinguished name, else the whole name (TTChuc is the CA's organisation). */
function organisation(dn: string): string {
  const m = /(?:^|,)O=((?:\\.|[^,])*)/.exec(dn);
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1');
}

/** The answers to a 100: finished once the 103 (or a "not received" 102) is in. */
export const handleRegistrationAnswers: ReplyHandler = async (tx, message, replies, now) => {
  const r102 = replies.find((r): r is Extract<Reply, { type: 102 }> => r.type === 102);
  const r103 = replies.find((r): r is Extract<Reply, { type: 103 }> => r.type === 103);
  const pending = and(eq(businesses.id, message.businessId), eq(businesses.status, 'pending'));
  if (r103) {
    if (r103.accepted) {
      // A change registration (HThuc 2) keeps the code it had; only a first acceptance sets it.
      const [b] = await tx.select({ status: businesses.status, mttCode: businesses.mttCode }).from(businesses).where(eq(businesses.id, message.businessId));
      if (b?.status === 'pending') {
        await tx
          .update(businesses)
          .set({ status: 'active', mttCode: r103.mttCode ?? b.mttCode, activatedAt: now, updatedAt: now, rejectionReasons: null })
          .where(pending);
      }
    } else {
      await tx
        .update(businesses)
        .set({ status: 'rejected', rejectionReasons: r103.reasons.map((x) => ({ code: x.code, message: x.message })), updatedAt: now })
        .where(pending);
    }
    await tx.insert(transmissionEvents).values({ at: now, messageId: message.id, event: 'registration.answered', detail: { accepted: r103.accepted, reasons: r103.reasons } });
    return true;
  }
  if (r102 && !r102.received) {
    await tx
      .update(businesses)
      .set({ status: 'rejected', rejectionReasons: r102.reasons.map((x) => ({ code: x.code, message: x.message })), updatedAt: now })
      .where(pending);
    await tx.insert(transmissionEvents).values({ at: now, messageId: message.id, event: 'registration.not_received', detail: { reasons: r102.reasons } });
    return true;
  }
  return false;
};
