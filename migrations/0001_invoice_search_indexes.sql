CREATE INDEX "audit_log_at_id_idx" ON "audit_log" USING btree ("at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "invoices_tax_code_issued_idx" ON "invoices" USING btree ("tax_code","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "invoices_terminal_issued_idx" ON "invoices" USING btree ("terminal_id","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE terminal_id is not null;--> statement-breakpoint
CREATE INDEX "invoices_code_idx" ON "invoices" USING btree ("mtt_code");--> statement-breakpoint
CREATE INDEX "invoices_tax_code_number_idx" ON "invoices" USING btree ("tax_code","number");--> statement-breakpoint
CREATE INDEX "invoices_open_province_idx" ON "invoices" USING btree ("province_code","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE tx_status in ('pending', 'sent');--> statement-breakpoint
CREATE INDEX "invoices_corrected_idx" ON "invoices" USING btree ("issued_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE status <> 'issued';--> statement-breakpoint
CREATE INDEX "invoices_related_idx" ON "invoices" USING btree ("related_invoice_id") WHERE related_invoice_id is not null;