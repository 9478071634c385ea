/**
 * A tiny writer whose output is already in W3C inclusive C14N form
 * (http://www.w3.org/TR/2001/REC-xml-c14n-20010315) for namespace-free documents.
 *
 * Why not xmlbuilder2's serializer: the signer digests the emitted bytes as they are, so they
 * must equal the canonical form, and xmlbuilder2 4.0.3 differs from C14N in ways that matter:
 *  - text: it leaves `&` alone when it looks like an entity (`/&(?![A-Za-z]+;|#\d+;)/`), so the
 *    text `AT&amp;T` comes out as `AT&amp;T` and reads back as `AT&T` (data changed, and not
 *    canonical); it does not write CR as `&#xD;`;
 *  - attributes: it escapes `>` (C14N does not) and leaves TAB/LF/CR raw (C14N writes
 *    `&#x9;`/`&#xA;`/`&#xD;`, a parser would otherwise normalise them to spaces).
 * Fixing that would mean post-processing its output (re-parsing it to tell its escapes from the
 * data's). Speed decides it anyway: building a 5-line invoice with xmlbuilder2 took ~0.3-0.5 ms
 * (over the 0.2 ms budget next to a ~1 ms signature), this writer ~14 µs on one core.
 * Correctness is checked against `xmllint --c14n` and xmlsec1 in test/invoice.
 *
 * C14N rules applied: no XML declaration, no whitespace between elements, empty elements as
 * `<a></a>`, text escapes `& < >` and CR only (quotes stay), attribute values escape
 * `& < "` TAB LF CR, characters are written as themselves (UTF-8), attributes in document order
 * (we only ever write one). All text is NFC-normalised first.
 */

/**
 * Characters XML 1.0 cannot carry, plus lone surrogates (not encodable in UTF-8).
 * Allowed: #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF].
 */
const INVALID_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const TEXT_NEEDS_ESCAPE = /[&<>\r]/;
const TEXT_ESCAPES = /[&<>\r]/g;
const ATTR_NEEDS_ESCAPE = /[&<"\t\n\r]/;
const ATTR_ESCAPES = /[&<"\t\n\r]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const entity = (ch: string): string => ENTITIES[ch] ?? ch;

/** Error thrown for a value that cannot go into the document; `field` names the model field. */
export class InvoiceXmlError extends Error {
  override readonly name = 'InvoiceXmlError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** NFC-normalises and checks a string; throws naming `field` if XML 1.0 cannot carry it. */
export function xmlSafe(value: string, field: string): string {
  if (typeof value !== 'string') throw new InvoiceXmlError(field, `expected a string, got ${typeof value}`);
  const bad = INVALID_XML_CHAR.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new InvoiceXmlError(field, `contains U+${code} at index ${bad.index}, which XML 1.0 cannot carry`);
  }
  return value.normalize('NFC');
}

/** Canonical character data for `value` (NFC, checked, escaped). */
export function canonicalText(value: string, field: string): string {
  const s = xmlSafe(value, field);
  return TEXT_NEEDS_ESCAPE.test(s) ? s.replace(TEXT_ESCAPES, entity) : s;
}

/** Canonical attribute value for `value` (NFC, checked, escaped), without the quotes. */
export function canonicalAttr(value: string, field: string): string {
  const s = xmlSafe(value, field);
  return ATTR_NEEDS_ESCAPE.test(s) ? s.replace(ATTR_ESCAPES, entity) : s;
}

/** `<tag>text</tag>` with canonical text. `tag` is a trusted constant. */
export function textElement(tag: string, value: string, field: string): string {
  return '<' + tag + '>' + canonicalText(value, field) + '</' + tag + '>';
}

/** Like {@link textElement}, but required: throws when the value is missing or empty. */
export function requiredText(tag: string, value: string | undefined, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new InvoiceXmlError(field, `${tag} is required and must not be empty`);
  }
  return textElement(tag, value, field);
}

/** Optional text element: nothing at all when the value is missing or empty. */
export function optionalText(tag: string, value: string | undefined, field: string): string {
  return value === undefined || value === null || value === '' ? '' : textElement(tag, value, field);
}

/** Integer text for a VND amount or count; negative numbers keep their leading '-'. */
export function integerText(value: number, field: string): string {
  if (!Number.isSafeInteger(value)) {
    throw new InvoiceXmlError(field, `expected a safe integer, got ${String(value)}`);
  }
  return String(value); // -0 prints as "0"
}

export function integerElement(tag: string, value: number, field: string): string {
  return '<' + tag + '>' + integerText(value, field) + '</' + tag + '>';
}

export function optionalInteger(tag: string, value: number | undefined, field: string): string {
  return value === undefined || value === null ? '' : integerElement(tag, value, field);
}

/** `value` must match `pattern`; returns it NFC-normalised and escaped as text. */
export function patternText(value: string | undefined, pattern: RegExp, field: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvoiceXmlError(field, `invalid value ${JSON.stringify(value)} (expected ${String(pattern)})`);
  }
  return canonicalText(value, field);
}
