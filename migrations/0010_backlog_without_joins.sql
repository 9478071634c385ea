-- The backlog (metrics, overview, risk) reads unaccepted_invoices alone: with its province and
-- whether the authority rejected it, no join to the invoices table is needed (a planner that
-- hash-joined a large backlog would scan every invoice ever stored).
ALTER TABLE "unaccepted_invoices" ADD COLUMN "province_code" text;--> statement-breakpoint
ALTER TABLE "unaccepted_invoices" ADD COLUMN "rejected" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "unaccepted_invoices" u SET "province_code" = i."province_code", "rejected" = (i."tx_status" = 'rejected')
  FROM "invoices" i WHERE i."id" = u."invoice_id";--> statement-breakpoint
ALTER TABLE "unaccepted_invoices" ALTER COLUMN "province_code" SET NOT NULL;--> statement-breakpoint
-- Which keys are taken: one primary-key probe per key. The join it replaces was planned for ~100
-- keys (the default guess for a set-returning function), so it hash-joined a sequential scan of
-- idempotency_keys, and the plan cached with the session kept doing that as the table grew.
CREATE OR REPLACE FUNCTION issue_begin(p_business uuid, p_keys jsonb, p_extra integer, p_scope text, p_year integer)
RETURNS TABLE (o_taken jsonb, o_status text, o_invoice_form smallint, o_symbol_series text, o_mtt_code text, o_tax_code text,
  o_name text, o_address text, o_phone text, o_province_code text, o_count integer, o_last_number bigint, o_last_counter bigint)
LANGUAGE plpgsql AS $$
DECLARE
  k jsonb;
  taken boolean;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('issue:' || p_business::text, 0));
  o_taken := '[]';
  o_count := p_extra;
  FOR k IN SELECT v FROM jsonb_array_elements(p_keys) AS e(v) LOOP
    taken := EXISTS (SELECT 1 FROM idempotency_keys i WHERE i.terminal_id = (k->>'terminalId')::uuid AND i.key = k->>'key');
    o_taken := o_taken || to_jsonb(taken);
    IF NOT taken THEN o_count := o_count + 1; END IF;
  END LOOP;
  SELECT b.status, b.invoice_form, b.symbol_series, b.mtt_code, b.tax_code, b.name, b.address, b.phone, b.province_code
    INTO o_status, o_invoice_form, o_symbol_series, o_mtt_code, o_tax_code, o_name, o_address, o_phone, o_province_code
    FROM businesses b WHERE b.id = p_business;
  IF o_count > 0 AND o_status = 'active' AND o_mtt_code IS NOT NULL THEN
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
--> statement-breakpoint
-- Planned at each call with the table as it is, not once for the life of a connection.
ALTER FUNCTION issue_begin(uuid, jsonb, integer, text, integer) SET plan_cache_mode = force_custom_plan;
