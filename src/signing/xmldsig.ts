/**
 * Enveloped XMLDSig over pre-canonical text (cash-register-invoice.md §5).
 *
 * The invoice and message builders emit elements already in W3C inclusive C14N form, so the
 * exact substring of a referenced element IS its canonical form: signing hashes that substring and
 * splices the <Signature> into the document text. Nothing is parsed and re-serialised; what is
 * signed is byte for byte what is stored and served.
 *
 * Inside <Signature xmlns="…xmldsig#">, C14N renders the inherited default namespace on the apex
 * of the canonicalised subset, so the canonical SignedInfo and Object are their text with
 * xmlns="…xmldsig#" as first attribute.
 */
import { randomUUID, sign } from 'node:crypto';
import {
  ancestorContextReason,
  escapeCanonicalText,
  extractElementById,
  isNcName,
  nonCanonicalReason,
  XmlSignatureError,
} from './canonical-text.js';
import { checkSignerValidity, type Signer } from './pkcs12.js';
import {
  C14N_ALGORITHM,
  DSIG_NS,
  ENVELOPED_TRANSFORM,
  formatSigningTime,
  RSA_SHA256_ALGORITHM,
  sha256Base64,
  SHA256_ALGORITHM,
  withDsigNamespace,
} from './xmldsig-common.js';

export { extractElementById, XmlSignatureError, type ElementRange } from './canonical-text.js';
export { verifyEnveloped, type SignatureLocator, type VerifyOptions, type VerifyResult } from './xmldsig-verify.js';
export {
  C14N_ALGORITHM,
  DSIG_NS,
  ENVELOPED_TRANSFORM,
  formatSigningTime,
  parseSigningTime,
  RSA_SHA256_ALGORITHM,
  sha256Base64,
  SHA256_ALGORITHM,
} from './xmldsig-common.js';

export interface SignOptions {
  signer: Signer;
  /** Id attribute value of the signed element: '_abc' gives Reference URI '#_abc'. */
  referenceId: string;
  /** Exact, unique empty element where the Signature goes: '<NBan></NBan>' → '<NBan><Signature…></NBan>'. */
  placeholder: string;
  /** Written as YYYY-MM-DDThh:mm:ss in Vietnam time, whatever the process TZ. */
  signingTime: Date;
  /** Id of the Signature element (default: "Sig-" + 16 random hex); the SigningTime Object gets "SigningTime-<this>". */
  signatureId?: string;
}

function reference(uri: string, digest: string, enveloped: boolean): string {
  const transforms = enveloped
    ? `<Transforms><Transform Algorithm="${ENVELOPED_TRANSFORM}"></Transform></Transforms>`
    : '';
  return `<Reference URI="${uri}">${transforms}<DigestMethod Algorithm="${SHA256_ALGORITHM}"></DigestMethod><DigestValue>${digest}</DigestValue></Reference>`;
}

function locatePlaceholder(xml: string, placeholder: string): number {
  const m = /^<([A-Za-z_][A-Za-z0-9_.-]*)(?: [^<]*)?><\/([A-Za-z_][A-Za-z0-9_.-]*)>$/.exec(placeholder);
  if (!m || m[1] !== m[2]) {
    throw new XmlSignatureError('xmldsig.bad_placeholder', `Placeholder must be an empty element like <NBan></NBan>, got ${placeholder}`);
  }
  const at = xml.indexOf(placeholder);
  if (at < 0) throw new XmlSignatureError('xmldsig.placeholder_not_found', `Placeholder ${placeholder} not found`);
  if (xml.indexOf(placeholder, at + 1) >= 0) {
    throw new XmlSignatureError('xmldsig.placeholder_not_unique', `Placeholder ${placeholder} occurs more than once`);
  }
  return at + placeholder.length - `</${m[2]}>`.length;
}

/**
 * Signs the element whose Id is `referenceId` and inserts the Signature into `placeholder`.
 * Refuses an expired or not-yet-valid certificate (at `signingTime`) and text that is not in the
 * canonical form the digest assumes.
 */
export function signEnveloped(xml: string, opts: SignOptions): string {
  const { signer, referenceId } = opts;
  checkSignerValidity(signer, opts.signingTime);
  const signatureId = opts.signatureId ?? `Sig-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  for (const id of [referenceId, signatureId]) {
    if (!isNcName(id)) throw new XmlSignatureError('xmldsig.bad_id', `"${id}" is not a valid XML Id`);
  }
  const objectId = `SigningTime-${signatureId}`;
  if (xml.includes(` Id="${signatureId}"`) || xml.includes(` Id="${objectId}"`)) {
    throw new XmlSignatureError('xmldsig.id_not_unique', `Id ${signatureId} is already used in the document`);
  }
  const insertAt = locatePlaceholder(xml, opts.placeholder);
  const element = extractElementById(xml, referenceId);
  const problem = nonCanonicalReason(element.text) ?? ancestorContextReason(xml, element.start);
  if (problem) {
    throw new XmlSignatureError('xmldsig.not_canonical', `Element Id="${referenceId}" is not in C14N form: ${problem}`);
  }
  // A placeholder inside the signed element is fine: the enveloped-signature transform removes
  // the Signature again, leaving exactly the text hashed here.
  const elementDigest = sha256Base64(element.text);

  const object =
    `<Object Id="${objectId}"><SignatureProperties><SignatureProperty Target="#${signatureId}">` +
    `<SigningTime>${formatSigningTime(opts.signingTime)}</SigningTime></SignatureProperty></SignatureProperties></Object>`;
  const signedInfo =
    `<SignedInfo><CanonicalizationMethod Algorithm="${C14N_ALGORITHM}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="${RSA_SHA256_ALGORITHM}"></SignatureMethod>` +
    reference(`#${referenceId}`, elementDigest, true) +
    reference(`#${objectId}`, sha256Base64(withDsigNamespace(object)), false) +
    `</SignedInfo>`;
  const signatureValue = sign('sha256', Buffer.from(withDsigNamespace(signedInfo), 'utf8'), signer.privateKey);

  const signature =
    `<Signature xmlns="${DSIG_NS}" Id="${signatureId}">${signedInfo}` +
    `<SignatureValue>${signatureValue.toString('base64')}</SignatureValue>` +
    `<KeyInfo><X509Data><X509SubjectName>${escapeCanonicalText(signer.x509SubjectName)}</X509SubjectName>` +
    `<X509Certificate>${signer.certificateBase64}</X509Certificate></X509Data></KeyInfo>` +
    `${object}</Signature>`;
  return xml.slice(0, insertAt) + signature + xml.slice(insertAt);
}
