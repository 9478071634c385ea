ALTER TABLE "invoices" ALTER COLUMN "lines" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "lines_text" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_lines_kept" CHECK (lines is not null or lines_text is not null);