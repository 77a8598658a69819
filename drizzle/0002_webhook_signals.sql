CREATE TABLE "webhook_signals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"signal_type" text NOT NULL,
	"signal_time" timestamp with time zone NOT NULL,
	"signal_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_signals_symbol_type_time" ON "webhook_signals" USING btree ("symbol","signal_type","signal_time");