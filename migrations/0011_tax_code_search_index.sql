-- The tax-code search reads a seller's newest invoices in order through this index; going through
-- the business id instead (migration 0008) let the planner scan the whole issue-time index at a
-- million invoices (1 s for a page).
CREATE INDEX "invoices_tax_code_issued_idx" ON "invoices" USING btree ("tax_code","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST);