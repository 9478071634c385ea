/**
 * The gateway's own check of enveloped signatures made by xmldsig.ts (or any signer whose
 * documents follow the same canonical-text convention). Like signing, it works on the text: the
 * referenced element's substring must hash to its DigestValue. A document another tool serialised
 * differently fails here even if a full C14N verifier (xmlsec1) would accept it.
 */
import { verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import { parseCertificateDer, type CertificateInfo } from './certificate.js';
import {
  ancestorContextReason,
  elementAt,
  extractElementById,
  nonCanonicalReason,
  type ElementRange,
} from './canonical-text.js';
import {
  C14N_ALGORITHM,
  DSIG_NS,
  ENVELOPED_TRANSFORM,
  parseSigningTime,
  RSA_SHA256_ALGORITHM,
  sha256Base64,
  SHA256_ALGORITHM,
  withDsigNamespace,
} from './xmldsig-common.js';

/** Narrows which Signature to check when several reference the same Id. */
export interface SignatureLocator {
  /** The Signature's own Id attribute. */
  signatureId?: string;
  /** Name of the element directly holding the Signature, e.g. 'CKSNNT' or 'NBan'. */
  containerTag?: string;
}

export interface VerifyOptions {
  /** Verify the Signature whose Reference URI is '#<referenceId>'. */
  referenceId: string;
  signatureLocator?: SignatureLocator;
  /** When given, the signing certificate must chain (through KeyInfo certificates) to one of these. */
  trustedCertsDer?: Buffer[];
  /** Reference clock: a SigningTime later than now (+5 min) is refused; default new Date(). */
  now?: Date;
}

export type VerifyResult = { ok: true; certificate: CertificateInfo; signingTime: string } | { ok: false; reason: string };

const CLOCK_SKEW_MS = 5 * 60_000;
const ALLOWED_TRANSFORMS = new Set([ENVELOPED_TRANSFORM, C14N_ALGORITHM]);

class Refusal extends Error {}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

function locateSignature(xml: string, referenceId: string, locator: SignatureLocator = {}): ElementRange {
  const needle = `<Reference URI="#${referenceId}">`;
  const candidates: ElementRange[] = [];
  for (let pos = xml.indexOf(needle); pos >= 0; pos = xml.indexOf(needle, pos + 1)) {
    const start = xml.lastIndexOf('<Signature ', pos);
    if (start < 0) continue;
    const sig = elementAt(xml, start);
    if (sig.end < pos) continue;
    if (locator.signatureId !== undefined && !/^<Signature [^>]*>/.exec(sig.text)?.[0].includes(` Id="${locator.signatureId}"`)) continue;
    if (locator.containerTag !== undefined) {
      const lt = xml.lastIndexOf('<', start - 1);
      if (!new RegExp(`^<${locator.containerTag}(?: [^<]*)?>$`).test(xml.slice(lt, start))) continue;
    }
    candidates.push(sig);
  }
  if (candidates.length === 0) refuse(`no Signature references #${referenceId}`);
  if (candidates.length > 1) refuse(`${candidates.length} Signatures reference #${referenceId}; pass a signatureLocator`);
  return candidates[0]!;
}

interface ParsedReference {
  uri: string;
  transforms: string[];
  digestMethod: string;
  digestValue: string;
}

const SIGNED_INFO =
  /^<SignedInfo(?: xmlns="[^"]*")?><CanonicalizationMethod Algorithm="([^"]*)"><\/CanonicalizationMethod><SignatureMethod Algorithm="([^"]*)"><\/SignatureMethod>((?:<Reference [^<]*>[\s\S]*?<\/Reference>)+)<\/SignedInfo>$/;
const REFERENCE =
  /<Reference URI="([^"]*)">(?:<Transforms>((?:<Transform Algorithm="[^"]*"><\/Transform>)*)<\/Transforms>)?<DigestMethod Algorithm="([^"]*)"><\/DigestMethod><DigestValue>([^<]*)<\/DigestValue><\/Reference>/y;

function parseSignedInfo(text: string): ParsedReference[] {
  const m = SIGNED_INFO.exec(text) ?? refuse('SignedInfo does not have the expected layout');
  if (m[1] !== C14N_ALGORITHM) refuse(`unsupported CanonicalizationMethod ${m[1]}`);
  if (m[2] !== RSA_SHA256_ALGORITHM) refuse(`unsupported SignatureMethod ${m[2]}`);
  const refsText = m[3] ?? '';
  const refs: ParsedReference[] = [];
  REFERENCE.lastIndex = 0;
  while (REFERENCE.lastIndex < refsText.length) {
    const r = REFERENCE.exec(refsText) ?? refuse('a Reference does not have the expected layout');
    const transforms = [...(r[2] ?? '').matchAll(/Algorithm="([^"]*)"/g)].map((t) => t[1] ?? '');
    refs.push({ uri: r[1] ?? '', transforms, digestMethod: r[3] ?? '', digestValue: r[4] ?? '' });
  }
  return refs;
}

const base64Bytes = (s: string): Buffer => Buffer.from(s.replace(/&#xD;|\s/g, ''), 'base64');

/** The canonical text a reference points at, as a C14N verifier would hash it. */
function referencedText(xml: string, sig: ElementRange, ref: ParsedReference, isMain: boolean): { text: string; inSignature: boolean } {
  if (!ref.uri.startsWith('#')) refuse(`unsupported Reference URI "${ref.uri}"`);
  for (const t of ref.transforms) if (!ALLOWED_TRANSFORMS.has(t)) refuse(`unsupported Transform ${t}`);
  if (ref.digestMethod !== SHA256_ALGORITHM) refuse(`unsupported DigestMethod ${ref.digestMethod}`);
  let el: ElementRange;
  try {
    el = extractElementById(xml, ref.uri.slice(1));
  } catch (err) {
    return refuse(`Reference ${ref.uri}: ${(err as Error).message}`);
  }
  if (el.start > sig.start && el.end <= sig.end) {
    if (isMain) refuse(`#${ref.uri.slice(1)} lies inside its own Signature`);
    const text = withDsigNamespace(el.text); // the SigningTime Object, as C14N renders it
    const problem = nonCanonicalReason(text);
    return problem ? refuse(`${ref.uri} is not in canonical form: ${problem}`) : { text, inSignature: true };
  }
  const envelops = el.start <= sig.start && sig.end <= el.end;
  if (envelops && !ref.transforms.includes(ENVELOPED_TRANSFORM)) refuse(`Reference ${ref.uri} encloses its own Signature`);
  const text = envelops ? xml.slice(el.start, sig.start) + xml.slice(sig.end, el.end) : el.text;
  const problem = nonCanonicalReason(text) ?? ancestorContextReason(xml, el.start);
  if (problem) refuse(`element ${ref.uri} is not in the canonical text form this verifier needs: ${problem}`);
  return { text, inSignature: false };
}

/**
 * Certificates are read once per distinct text: a seller signs every invoice with the same one, and
 * reading it (OpenSSL, then forge for the subject) costs more than the RSA verification. What is
 * read is a pure function of the bytes, so a cached reading is the reading; a failed one is not
 * kept and fails again the same way.
 */
const CERTIFICATE_CACHE_SIZE = 256;
const keyInfoCertificates = new Map<string, X509Certificate>();
const trustedCertificates = new WeakMap<Buffer, X509Certificate>();
const publicKeys = new WeakMap<X509Certificate, KeyObject>();
const certificateInfos = new WeakMap<X509Certificate, CertificateInfo>();

function keyInfoCertificate(base64: string): X509Certificate {
  const cached = keyInfoCertificates.get(base64);
  if (cached) return cached;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(base64Bytes(base64));
  } catch {
    return refuse('unreadable X509Certificate');
  }
  if (keyInfoCertificates.size >= CERTIFICATE_CACHE_SIZE) keyInfoCertificates.delete(keyInfoCertificates.keys().next().value as string);
  keyInfoCertificates.set(base64, cert);
  return cert;
}

function trustedCertificate(der: Buffer): X509Certificate {
  let cert = trustedCertificates.get(der);
  if (!cert) trustedCertificates.set(der, (cert = new X509Certificate(der)));
  return cert;
}

function publicKeyOf(cert: X509Certificate): KeyObject {
  let key = publicKeys.get(cert);
  if (!key) publicKeys.set(cert, (key = cert.publicKey));
  return key;
}

function certificateInfo(cert: X509Certificate): CertificateInfo {
  let info = certificateInfos.get(cert);
  if (!info) certificateInfos.set(cert, (info = parseCertificateDer(cert.raw)));
  return info;
}

/** A copy for the caller: the cached reading stays as it was read. */
const copyInfo = (info: CertificateInfo): CertificateInfo => ({
  ...info,
  notBefore: new Date(info.notBefore),
  notAfter: new Date(info.notAfter),
  taxCodes: [...info.taxCodes],
});

/** Walks up from `certs[leaf]` through the other KeyInfo certificates (by position: one may be given twice). */
function chainsToTrusted(certs: X509Certificate[], leaf: number, trusted: X509Certificate[], at: Date): boolean {
  const validAt = (c: X509Certificate): boolean => {
    const info = certificateInfo(c);
    return info.notBefore <= at && at <= info.notAfter;
  };
  let index = leaf;
  for (let depth = 0; depth < 6; depth++) {
    const current = certs[index] as X509Certificate;
    if (trusted.some((t) => t.raw.equals(current.raw))) return true;
    const issuedBy = (c: X509Certificate): boolean => current.checkIssued(c) && current.verify(publicKeyOf(c)) && validAt(c);
    if (trusted.some(issuedBy)) return true;
    const next = certs.findIndex((c, i) => i !== index && c.ca && issuedBy(c));
    if (next < 0) return false;
    index = next;
  }
  return false;
}

function verifyOrThrow(xml: string, opts: VerifyOptions): { certificate: CertificateInfo; signingTime: string } {
  const sig = locateSignature(xml, opts.referenceId, opts.signatureLocator);
  if (!sig.text.startsWith(`<Signature xmlns="${DSIG_NS}"`)) refuse(`the Signature does not declare xmlns="${DSIG_NS}" first`);
  const signedInfoAt = sig.text.indexOf('<SignedInfo');
  if (signedInfoAt < 0) refuse('Signature has no SignedInfo');
  const signedInfo = elementAt(sig.text, signedInfoAt).text;
  const refs = parseSignedInfo(signedInfo);
  if (!refs.some((r) => r.uri === `#${opts.referenceId}`)) refuse(`SignedInfo has no Reference to #${opts.referenceId}`);

  let signingTime: string | null = null;
  for (const ref of refs) {
    const { text, inSignature } = referencedText(xml, sig, ref, ref.uri === `#${opts.referenceId}`);
    if (!base64Bytes(ref.digestValue).equals(Buffer.from(sha256Base64(text), 'base64'))) {
      refuse(`digest mismatch for Reference ${ref.uri}: the signed content was changed`);
    }
    if (inSignature) signingTime ??= /<SigningTime>([^<]*)<\/SigningTime>/.exec(text)?.[1] ?? null;
  }
  if (signingTime === null && sig.text.includes('<SigningTime>')) refuse('SigningTime is not covered by a Reference');

  const signatureValue = /<SignatureValue(?: [^>]*)?>([^<]*)<\/SignatureValue>/.exec(sig.text)?.[1] ?? refuse('no SignatureValue');
  const certs = [...sig.text.matchAll(/<X509Certificate>([^<]*)<\/X509Certificate>/g)].map((m) => keyInfoCertificate(m[1] ?? ''));
  if (certs.length === 0) refuse('no X509Certificate in KeyInfo');
  const canonicalSignedInfo = Buffer.from(withDsigNamespace(signedInfo), 'utf8');
  const signatureBytes = base64Bytes(signatureValue);
  const leafIndex = certs.findIndex((c) => {
    const key = publicKeyOf(c);
    return key.asymmetricKeyType === 'rsa' && verifySignature('sha256', canonicalSignedInfo, key, signatureBytes);
  });
  if (leafIndex < 0) refuse('SignatureValue does not verify with the certificate in KeyInfo');

  const now = opts.now ?? new Date();
  const signedAt = signingTime === null ? now : (parseSigningTime(signingTime) ?? refuse(`malformed SigningTime "${signingTime}"`));
  if (signedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) refuse(`SigningTime ${signingTime} is in the future`);
  const certificate = certificateInfo(certs[leafIndex] as X509Certificate);
  if (signedAt < certificate.notBefore || signedAt > certificate.notAfter) {
    refuse(`certificate "${certificate.subject}" was not valid at signing time ${signingTime ?? now.toISOString()}`);
  }
  if (opts.trustedCertsDer) {
    const trusted = opts.trustedCertsDer.map(trustedCertificate);
    if (!chainsToTrusted(certs, leafIndex, trusted, signedAt)) refuse(`certificate "${certificate.subject}" does not chain to a trusted CA`);
  }
  return { certificate: copyInfo(certificate), signingTime: signingTime ?? '' };
}

/** Never throws: any problem comes back as { ok: false, reason }. */
export function verifyEnveloped(xml: string, opts: VerifyOptions): VerifyResult {
  try {
    return { ok: true, ...verifyOrThrow(xml, opts) };
  } catch (err) {
    return { ok: false, reason: err instanceof Refusal ? err.message : `malformed signature: ${(err as Error).message}` };
  }
}
