-- issue_begin allocates numbers only for an active business with an MTT code: a turn issuing for
-- several sellers (issue_begin_many) then needs no rollback because one of them is not.
CREATE OR REPLACE FUNCTION issue_begin(p_business uuid, p_keys jsonb, p_extra integer, p_scope text, p_year integer)
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
-- Several sellers' starts in one round trip (src/modules/sales/issue.ts, beginIssuingMany), taken
-- in the order of their ids: every caller takes sellers' locks in that order, so two such turns
-- cannot deadlock. p_sellers: a jsonb array of {"business", "keys", "extra", "scope", "year"}; the
-- result: issue_begin's row per seller as a jsonb object, with "i", its 1-based place in p_sellers.
CREATE FUNCTION issue_begin_many(p_sellers jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  s record;
  r record;
  result jsonb := '[]';
BEGIN
  FOR s IN SELECT e.v, e.i FROM jsonb_array_elements(p_sellers) WITH ORDINALITY AS e(v, i) ORDER BY (e.v->>'business')::uuid LOOP
    SELECT * INTO r FROM issue_begin((s.v->>'business')::uuid, s.v->'keys', (s.v->>'extra')::integer, s.v->>'scope', (s.v->>'year')::integer);
    result := result || jsonb_build_array(to_jsonb(r) || jsonb_build_object('i', s.i));
  END LOOP;
  RETURN result;
END
$$;
