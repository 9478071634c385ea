// Stored invoice XML. A signed invoice is ~5–6 KB of text that PostgreSQL's own compression only
// halves, mostly because every invoice of a seller repeats the same things: its name, address and
// tax code, its certificate (1.2 KB of base64 that no compressor can shrink on its own), and the
// element names. Deflated against a dictionary that already holds them (a signed sample invoice of
// that seller and certificate), an invoice takes ~0.7 KB. Lossless: the bytes read back are the
// bytes signed.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { invoiceDocuments, invoices, xmlDictionaries } from '../db/schema/index.js';

export interface Dictionary {
  id: number;
  bytes: Buffer;
}

/** Where an invoice's XML is: text in its row (rows from before invoice_documents), or deflated there. */
export interface StoredXml {
  xml: string | null;
  xmlZ: Buffer | null;
  xmlDict: number | null;
}

/** The columns a select needs for `read` (with invoice_documents left-joined to invoices). */
export const storedXmlColumns = { xml: invoices.xml, xmlZ: invoiceDocuments.xmlZ, xmlDict: invoiceDocuments.xmlDict };

/** The document as invoice_documents stores it. */
export function packXml(xml: string, dict: Dictionary): { xmlZ: Buffer; xmlDict: number } {
  return { xmlZ: deflateRawSync(Buffer.from(xml, 'utf8'), { dictionary: dict.bytes }), xmlDict: dict.id };
}

export function unpackXml(row: StoredXml, dictionary: Buffer | undefined): string {
  if (row.xml !== null) return row.xml;
  if (!row.xmlZ || row.xmlDict === null || !dictionary) throw new Error('invoice XML: neither text nor a deflated document with its dictionary');
  return inflateRawSync(row.xmlZ, { dictionary }).toString('utf8');
}

const stores = new WeakMap<object, XmlStore>();

/**
 * The store of a database handle (the root one, not a transaction): dictionaries never change once
 * written, so each is read once per process and database (ids are per database, and a process may
 * open several, e.g. in tests).
 */
export function xmlStoreOf(db: Db): XmlStore {
  let store = stores.get(db);
  if (!store) stores.set(db, (store = createXmlStore()));
  return store;
}

function createXmlStore() {
  const byId = new Map<number, Buffer>();
  const byOwner = new Map<string, Dictionary>();

  async function load(db: DbOrTx, ids: number[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !byId.has(id));
    if (missing.length === 0) return;
    const rows = await db.select({ id: xmlDictionaries.id, bytes: xmlDictionaries.bytes }).from(xmlDictionaries).where(inArray(xmlDictionaries.id, missing));
    for (const r of rows) byId.set(r.id, Buffer.from(r.bytes));
  }

  return {
    /**
     * The dictionary of a seller's certificate; the first call for a pair stores `sample()` (a
     * signed invoice of that seller and certificate). Call outside any transaction: a dictionary
     * in the cache must be committed, or rows pointing at it could outlive it.
     */
    async dictionaryFor(db: DbOrTx, businessId: string, certificateDer: Buffer, sample: () => string): Promise<Dictionary> {
      const certificateSha256 = createHash('sha256').update(certificateDer).digest('hex');
      const owner = `${businessId} ${certificateSha256}`;
      const hit = byOwner.get(owner);
      if (hit) return hit;
      const find = () =>
        db
          .select({ id: xmlDictionaries.id, bytes: xmlDictionaries.bytes })
          .from(xmlDictionaries)
          .where(sql`${xmlDictionaries.businessId} = ${businessId} and ${xmlDictionaries.certificateSha256} = ${certificateSha256}`);
      let [row] = await find();
      if (!row) {
        // Two processes may race here: the unique index keeps one, both then read it.
        await db.insert(xmlDictionaries).values({ businessId, certificateSha256, bytes: Buffer.from(sample(), 'utf8') }).onConflictDoNothing();
        [row] = await find();
      }
      if (!row) throw new Error('xml dictionary: stored but not found');
      const dict = { id: row.id, bytes: Buffer.from(row.bytes) };
      byOwner.set(owner, dict);
      byId.set(dict.id, dict.bytes);
      return dict;
    },

    /** The documents of these rows, in their order. */
    async read(db: DbOrTx, rows: readonly StoredXml[]): Promise<string[]> {
      await load(
        db,
        rows.flatMap((r) => (r.xml === null && r.xmlDict !== null ? [r.xmlDict] : [])),
      );
      return rows.map((r) => unpackXml(r, r.xmlDict === null ? undefined : byId.get(r.xmlDict)));
    },

    async readOne(db: DbOrTx, row: StoredXml): Promise<string> {
      const [xml] = await this.read(db, [row]);
      return xml!;
    },

    /** The documents of these invoices by id (an unknown id is missing from the map). */
    async byInvoiceIds(db: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: invoices.id, ...storedXmlColumns })
        .from(invoices)
        .leftJoin(invoiceDocuments, eq(invoiceDocuments.invoiceId, invoices.id))
        .where(inArray(invoices.id, [...ids]));
      const xml = await this.read(db, rows);
      return new Map(rows.map((r, i) => [r.id, xml[i]!]));
    },
  };
}

export type XmlStore = ReturnType<typeof createXmlStore>;
