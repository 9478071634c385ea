// UUID version 7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then random bits. Keys
// made of these arrive at the right-hand edge of their B-tree indexes, as rows are written in time
// order, where random (version 4) keys land on any leaf page: at a million invoices and more,
// every insert into invoices_pkey, invoice_documents, invoice_transmissions, buyer_links,
// message_items … would read a page no longer in PostgreSQL's cache, and dirty it.

/** A version-7 UUID for the instant `ms` (default now), lower-case with dashes. */
export function uuidv7(ms: number = Date.now()): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let t = Math.max(0, Math.floor(ms));
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
