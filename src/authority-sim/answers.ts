// Shared pieces of the simulator's answers: addressing, ids, notice numbers and the authority's
// signature (Signature Id "Tct-<hex>", as the authority writes it).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/client.js';
import { buildMessageId } from '../domain/codes.js';
import {
  AUTHORITY_HEAD_SIGNATURE_PLACEHOLDER,
  AUTHORITY_SENDER,
  AUTHORITY_SIGNATURE_PLACEHOLDER,
  type ReplyEnvelope,
  type ReplyReason,
  type UnsignedReply,
} from '../invoice/replies-build.js';
import { signEnveloped } from '../signing/xmldsig.js';
import type { SimReason } from './codes.js';
import type { SimContext } from './context.js';
import { bumpCounter } from './store.js';

/** Fixed wording of the simulated tax office. */
export const AUTHORITY = Object.freeze({
  place: 'Hà Nội',
  superiorOffice: 'Tổng cục Thuế',
  office: 'Cục Thuế (simulator)',
  signerMethod: 'KT. CỤC TRƯỞNG',
  signerTitle: 'PHÓ CỤC TRƯỞNG',
  legalBasis: 'Nghị định 254/2026/NĐ-CP, Thông tư 91/2026/TT-BTC',
});

export const DEFAULT_VERSION = '2.1.0';
const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;

const hex = (): string => randomUUID().replace(/-/g, '').toUpperCase();

/** A fresh Id for a signed element (`DLTBao`, `STBao`). */
export const newElementId = (): string => `_${hex()}`;

/** Addressed to the request's sender, naming it, in the request's format version. */
export function replyEnvelope(req: { header: { version?: string; sender?: string; messageId?: string } }, taxCode?: string): ReplyEnvelope {
  const h = req.header;
  const e: ReplyEnvelope = {
    version: h.version !== undefined && VERSION.test(h.version) ? h.version : DEFAULT_VERSION,
    messageId: buildMessageId(AUTHORITY_SENDER),
    replyTo: h.messageId ?? '',
    receiver: h.sender !== undefined && h.sender !== '' ? h.sender : 'UNKNOWN',
  };
  if (taxCode !== undefined && taxCode !== '') e.taxCode = taxCode;
  return e;
}

export const toReplyReasons = (reasons: readonly SimReason[]): ReplyReason[] =>
  reasons.map((r) => (r.fix === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, fix: r.fix }));

/** The next notice number (`So`), shared by all notices. */
export async function nextNoticeNumber(tx: Tx): Promise<string> {
  return String(await bumpCounter(tx, 'notice_number'));
}

/** Signs `DLTBao` into `<CQT></CQT>` (and a 103's `STBao` into `<TTCQT></TTCQT>`). */
export function signReply(ctx: SimContext, reply: UnsignedReply, at: Date): string {
  let xml = signEnveloped(reply.xml, {
    signer: ctx.signer,
    referenceId: reply.dataId,
    placeholder: AUTHORITY_SIGNATURE_PLACEHOLDER,
    signingTime: at,
    signatureId: `Tct-${hex()}`,
  });
  if (reply.stampId !== undefined) {
    xml = signEnveloped(xml, {
      signer: ctx.signer,
      referenceId: reply.stampId,
      placeholder: AUTHORITY_HEAD_SIGNATURE_PLACEHOLDER,
      signingTime: at,
      signatureId: `Tct-${hex()}`,
    });
  }
  return xml;
}
