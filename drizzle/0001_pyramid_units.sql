ALTER TABLE "positions" ADD COLUMN "unit" integer;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "unit" integer;