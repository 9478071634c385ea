// 100, registration (authority-messages.md §2, §3, §8.2): 102 received / not received (form and
// signature), then 103 accepted with a new 5-char MTT code, or refused with reasons.
import type { Tx } from '../db/client.js';
import { checkPersonAgainstId } from '../domain/personal-id.js';
import { validateTaxCode } from '../domain/tax-code.js';
import { REGISTRATION_TITLE } from '../invoice/registration.js';
import { buildReceipt102, buildResult103 } from '../invoice/replies-build.js';
import { AUTHORITY, newElementId, nextNoticeNumber, replyEnvelope, signReply, toReplyReasons } from './answers.js';
import { ENVELOPE, REGISTRATION, type SimReason } from './codes.js';
import type { IncomingMessage, Intake, PlannedReply, SimContext } from './context.js';
import { checkSellerSignature } from './invoice-checks.js';
import { list, obj, str } from './plain.js';
import type { SimRegisteredCertificate } from './schema.js';
import { getSeller, insertSeller, updateSellerCertificates } from './store.js';

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CODE_ATTEMPTS = 50;

interface Declaration {
  id: string;
  kind: 1 | 2;
  taxCode: string;
  name: string;
  office: string;
  /** Problems that make the declaration "not received" (102 THop 2/4, no 103). */
  notReceived: SimReason[];
  /** Problems that make the registration "not accepted" (103 TTXNCQT 2). */
  refusals: SimReason[];
  fingerprint: string | null;
  certificates: Array<SimRegisteredCertificate & { action: string }>;
}

function representativeProblem(tt: ReturnType<typeof obj>, now: Date): SimReason | null {
  const name = str(tt.TNDDPLuat);
  const id = str(tt.CCCDan);
  if (!name || !id) return REGISTRATION.representative('the name (TNDDPLuat) and personal ID (CCCDan) are required');
  const sex = str(tt.GTinh) === '1' ? 'male' : str(tt.GTinh) === '0' ? 'female' : '';
  const issues = checkPersonAgainstId(id, str(tt.NSDDPLuat), sex, now);
  return issues.length ? REGISTRATION.representative(issues.map((i) => `${i.path.slice(1)}: ${i.message}`).join('; ')) : null;
}

function readDeclaration(ctx: SimContext, m: IncomingMessage): Declaration | SimReason {
  const dl = obj(obj(m.parsed.payload.TKhai).DLTKhai);
  const id = str(dl['@Id']);
  if (!id) return ENVELOPE.structure('TKhai/DLTKhai has no Id');
  const tt = obj(dl.TTChung);
  const nd = obj(dl.NDTKhai);
  const now = ctx.clock();
  const d: Declaration = {
    id,
    kind: str(tt.HThuc) === '2' ? 2 : 1,
    taxCode: str(tt.MST),
    name: str(tt.TNNT),
    office: str(tt.CQTQLy) || AUTHORITY.office,
    notReceived: [],
    refusals: [],
    fingerprint: null,
    certificates: list(obj(nd.DSCTSSDung).CTS).map((c, i) => {
      const o = obj(c);
      return { index: Number(str(o.STT)) || i + 1, issuer: str(o.TTChuc), serial: str(o.Seri), validFrom: str(o.TNgay), validTo: str(o.DNgay), action: str(o.HThuc) };
    }),
  };
  const taxCode = validateTaxCode(d.taxCode, now);
  if (!taxCode.ok) d.notReceived.push(REGISTRATION.taxCode(taxCode.message));
  else if (m.header.taxCode && m.header.taxCode !== d.taxCode) d.notReceived.push(REGISTRATION.taxCode(`TTChung/MST ${m.header.taxCode} ≠ ${d.taxCode}`));
  const sig = checkSellerSignature(m.text, {
    referenceId: id,
    containerTag: 'NNT',
    taxCode: d.taxCode,
    now,
    ...(ctx.trustedCertsDer ? { trustedCertsDer: ctx.trustedCertsDer } : {}),
  });
  if (sig.ok) d.fingerprint = sig.fingerprint;
  else d.notReceived.push(REGISTRATION.signature(sig.reason));
  if (d.certificates.length === 0) d.notReceived.push(REGISTRATION.certificates());

  if (str(obj(nd.HTHDon).CMTMTTien) !== '1') d.refusals.push(REGISTRATION.cashRegister());
  if (str(obj(nd.PThuc).CDDu) !== '1') d.refusals.push(REGISTRATION.fullData());
  const types = obj(nd.LHDSDung);
  if (str(types.HDGTGT) !== '1' && str(types.HDBHang) !== '1') d.refusals.push(REGISTRATION.invoiceType());
  const rep = representativeProblem(tt, now);
  if (rep) d.refusals.push(rep);
  return d;
}

export async function intake100(ctx: SimContext, m: IncomingMessage): Promise<Intake> {
  const d = readDeclaration(ctx, m);
  if (!('kind' in d)) return { refused: [d] };
  return { taxCode: d.taxCode, commit: (tx, at) => commit100(ctx, m, d, tx, at) };
}

/** The certificates in use after this declaration: stopped ones (HThuc 3) removed. */
function certificatesAfter(d: Declaration, before: SimRegisteredCertificate[]): SimRegisteredCertificate[] {
  const bySerial = new Map(before.map((c) => [c.serial.toUpperCase(), c]));
  for (const { action, ...c } of d.certificates) {
    if (action === '3') bySerial.delete(c.serial.toUpperCase());
    else bySerial.set(c.serial.toUpperCase(), c);
  }
  return [...bySerial.values()];
}

function randomCode(random: () => number): string {
  let code = '';
  for (let i = 0; i < 5; i++) code += CODE_ALPHABET[Math.floor(random() * CODE_ALPHABET.length)] ?? 'A';
  return code;
}

/** Registers the seller under a new unique code; null when the tax code got registered meanwhile. */
async function registerSeller(ctx: SimContext, tx: Tx, d: Declaration, at: Date): Promise<string | null> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const mttCode = randomCode(ctx.random);
    const certificates = certificatesAfter(d, []);
    if (await insertSeller(tx, { taxCode: d.taxCode, mttCode, name: d.name, certificateFingerprint: d.fingerprint, certificates, registeredAt: at })) return mttCode;
    if (await getSeller(tx, d.taxCode)) return null;
  }
  throw new Error(`no free MTT code after ${CODE_ATTEMPTS} attempts`);
}

/** Applies an accepted declaration; returns the seller's code, or adds the refusal to `d`. */
async function applyDeclaration(ctx: SimContext, tx: Tx, d: Declaration, at: Date): Promise<string | undefined> {
  const existing = await getSeller(tx, d.taxCode);
  if (d.kind === 1 && existing) d.refusals.push(REGISTRATION.alreadyRegistered());
  if (d.kind === 2 && !existing) d.refusals.push(REGISTRATION.notRegistered());
  if (d.refusals.length) return undefined;
  if (existing) {
    const certificates = certificatesAfter(d, existing.certificates);
    await updateSellerCertificates(tx, d.taxCode, { name: d.name || existing.name, certificateFingerprint: d.fingerprint, certificates, now: at });
    return existing.mttCode;
  }
  const code = await registerSeller(ctx, tx, d, at);
  if (code === null) d.refusals.push(REGISTRATION.alreadyRegistered());
  return code ?? undefined;
}

async function commit100(ctx: SimContext, m: IncomingMessage, d: Declaration, tx: Tx, at: Date): Promise<PlannedReply[]> {
  const received = d.notReceived.length === 0;
  const receipt = buildReceipt102(replyEnvelope(m, d.taxCode), {
    dataId: newElementId(),
    noticeNumber: await nextNoticeNumber(tx),
    place: AUTHORITY.place,
    date: at,
    taxCode: d.taxCode,
    sellerName: d.name,
    declarationName: REGISTRATION_TITLE,
    requestId: m.header.messageId,
    sentAt: m.receivedAt,
    status: d.kind === 1 ? (received ? 1 : 2) : received ? 3 : 4,
    receivedAt: m.receivedAt,
    reasons: toReplyReasons(d.notReceived),
  });
  const replies: PlannedReply[] = [{ type: 102, xml: signReply(ctx, receipt, at), delaySteps: 1 }];
  if (!received) return replies;

  const mttCode = await applyDeclaration(ctx, tx, d, at);
  const result = buildResult103(replyEnvelope(m, d.taxCode), {
    dataId: newElementId(),
    stampId: newElementId(),
    place: AUTHORITY.place,
    superiorOffice: AUTHORITY.superiorOffice,
    office: d.office,
    taxCode: d.taxCode,
    sellerName: d.name,
    date: at,
    registrationKind: d.kind,
    ...(mttCode === undefined ? {} : { mttCode }),
    accepted: mttCode !== undefined,
    signerMethod: AUTHORITY.signerMethod,
    signerTitle: AUTHORITY.signerTitle,
    reasons: toReplyReasons(d.refusals),
    noticeNumber: await nextNoticeNumber(tx),
    noticeDate: at,
  });
  ctx.log.debug({ messageId: m.header.messageId, taxCode: d.taxCode, accepted: mttCode !== undefined }, '100 judged');
  replies.push({ type: 103, xml: signReply(ctx, result, at), delaySteps: 2 });
  return replies;
}
