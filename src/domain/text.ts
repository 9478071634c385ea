// Free text ends up in signed XML. Two texts that look identical must be the same bytes (NFC),
// and XML 1.0 has no way to carry some code points at all, not even escaped.

export function normaliseText(s: string): string {
  return s.normalize('NFC').trim();
}

// Everything outside XML 1.0's `Char` production: C0 controls except tab, LF and CR, the
// non-characters U+FFFE/U+FFFF, and surrogates that are not part of a valid pair.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` contains a code point XML 1.0 cannot carry (the text must be refused). */
export function findControlChars(s: string): boolean {
  return NOT_XML_CHAR.test(s);
}

/** True when `s` can be written into XML 1.0 as is: the positive form of findControlChars. */
export function isXmlSafeText(s: string): boolean {
  return !NOT_XML_CHAR.test(s);
}
