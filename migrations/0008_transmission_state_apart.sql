CREATE TABLE "invoice_documents" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"xml_dict" integer NOT NULL,
	"xml_z" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unaccepted_invoices" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"form" smallint NOT NULL,
	"symbol" text NOT NULL,
	"number" integer NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"message_id" text
);
--> statement-breakpoint
CREATE TABLE "xml_dictionaries" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "xml_dictionaries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"business_id" uuid NOT NULL,
	"certificate_sha256" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "invoices_unbatched_idx";--> statement-breakpoint
DROP INDEX "invoices_message_idx";--> statement-breakpoint
DROP INDEX "invoices_open_idx";--> statement-breakpoint
DROP INDEX "invoices_late_idx";--> statement-breakpoint
DROP INDEX "invoices_rejected_idx";--> statement-breakpoint
DROP INDEX "invoices_tax_code_issued_idx";--> statement-breakpoint
DROP INDEX "invoices_open_province_idx";--> statement-breakpoint
DROP INDEX "invoices_open_issued_idx";--> statement-breakpoint
DROP INDEX "invoices_rejected_issued_idx";--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "xml" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_documents" ADD CONSTRAINT "invoice_documents_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_documents" ADD CONSTRAINT "invoice_documents_xml_dict_xml_dictionaries_id_fk" FOREIGN KEY ("xml_dict") REFERENCES "public"."xml_dictionaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "unaccepted_unbatched_idx" ON "unaccepted_invoices" USING btree ("business_id","form","symbol","issued_at","number") WHERE message_id is null;--> statement-breakpoint
CREATE INDEX "unaccepted_message_idx" ON "unaccepted_invoices" USING btree ("message_id") WHERE message_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "xml_dictionaries_owner_uq" ON "xml_dictionaries" USING btree ("business_id","certificate_sha256");--> statement-breakpoint
-- Invoices the authority has not accepted yet (or rejected) move to the work list, with the
-- message that carries them now.
INSERT INTO "unaccepted_invoices" ("invoice_id", "business_id", "form", "symbol", "number", "issued_at", "message_id")
SELECT "id", "business_id", "form", "symbol", "number", "issued_at", "message_id" FROM "invoices" WHERE "tx_status" <> 'accepted';--> statement-breakpoint
-- Deflated already: PostgreSQL's compression would only spend CPU on it.
ALTER TABLE "invoice_documents" ALTER COLUMN "xml_z" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "xml_dictionaries" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;--> statement-breakpoint
-- The first round trip of an issuing transaction (src/modules/sales/issue.ts, beginIssuing): the
-- seller's issuing lock, which of the given Idempotency-Keys are already taken (under the lock no
-- other transaction can be writing them), the business as it is now, and the numbers of the
-- invoices to issue: p_extra plus one per key not taken.
-- p_keys: a jsonb array of {"terminalId", "key"}; o_taken: a jsonb array of booleans, in that order.
CREATE FUNCTION issue_begin(p_business uuid, p_keys jsonb, p_extra integer, p_scope text, p_year integer)
RETURNS TABLE (o_taken jsonb, o_status text, o_invoice_form smallint, o_symbol_series text, o_mtt_code text, o_tax_code text,
  o_name text, o_address text, o_phone text, o_province_code text, o_count integer, o_last_number bigint, o_last_counter bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('issue:' || p_business::text, 0));
  SELECT coalesce(jsonb_agg(k.terminal_id IS NOT NULL ORDER BY u.i), '[]') INTO o_taken
    FROM jsonb_array_elements(p_keys) WITH ORDINALITY AS u(v, i)
    LEFT JOIN idempotency_keys k ON k.terminal_id = (u.v->>'terminalId')::uuid AND k.key = u.v->>'key';
  o_count := p_extra + (SELECT count(*) FROM jsonb_array_elements(o_taken) AS t(taken) WHERE t.taken = 'false');
  SELECT b.status, b.invoice_form, b.symbol_series, b.mtt_code, b.tax_code, b.name, b.address, b.phone, b.province_code
    INTO o_status, o_invoice_form, o_symbol_series, o_mtt_code, o_tax_code, o_name, o_address, o_phone, o_province_code
    FROM businesses b WHERE b.id = p_business;
  IF o_count > 0 THEN
    INSERT INTO sequences AS s (business_id, scope, year, last_value) VALUES (p_business, p_scope, p_year, o_count)
      ON CONFLICT (business_id, scope, year) DO UPDATE SET last_value = s.last_value + o_count
      RETURNING s.last_value INTO o_last_number;
    INSERT INTO sequences AS s (business_id, scope, year, last_value) VALUES (p_business, 'mtt', p_year, o_count)
      ON CONFLICT (business_id, scope, year) DO UPDATE SET last_value = s.last_value + o_count
      RETURNING s.last_value INTO o_last_counter;
  END IF;
  RETURN NEXT;
END
$$;
