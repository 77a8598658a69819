CREATE TABLE "candles" (
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"open" bigint NOT NULL,
	"high" bigint NOT NULL,
	"low" bigint NOT NULL,
	"close" bigint NOT NULL,
	"volume" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "candles_symbol_timeframe_time_pk" PRIMARY KEY("symbol","timeframe","time")
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"ref" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"message_id" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chat_messages_ref_chat_id_message_id_pk" PRIMARY KEY("ref","chat_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "daily_performance" (
	"date" date PRIMARY KEY NOT NULL,
	"starting_equity" bigint NOT NULL,
	"ending_equity" bigint NOT NULL,
	"realized" bigint NOT NULL,
	"unrealized" bigint NOT NULL,
	"charges" bigint NOT NULL,
	"trades" integer NOT NULL,
	"wins" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"fill_id" text NOT NULL,
	"order_id" bigint NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"qty" integer NOT NULL,
	"price" bigint NOT NULL,
	"charges" bigint DEFAULT 0 NOT NULL,
	"time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instruments" (
	"token" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"name" text NOT NULL,
	"exchange" text NOT NULL,
	"instrument_type" text DEFAULT '' NOT NULL,
	"expiry" date,
	"strike_paise" bigint,
	"lot_size" integer DEFAULT 1 NOT NULL,
	"tick_paise" integer DEFAULT 5 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"client_order_id" text NOT NULL,
	"broker_order_id" text,
	"signal_id" text,
	"position_id" bigint,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"qty" integer NOT NULL,
	"order_type" text NOT NULL,
	"limit_price" bigint,
	"purpose" text NOT NULL,
	"status" text NOT NULL,
	"filled_qty" integer DEFAULT 0 NOT NULL,
	"avg_fill_price" bigint,
	"reason" text,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"strategy" text NOT NULL,
	"side" text NOT NULL,
	"status" text NOT NULL,
	"qty" integer NOT NULL,
	"cost_basis" bigint NOT NULL,
	"open_charges" bigint DEFAULT 0 NOT NULL,
	"initial_stop" bigint,
	"stop" bigint,
	"targets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"last_price" bigint,
	"realized" bigint DEFAULT 0 NOT NULL,
	"signal_id" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"meta" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" text PRIMARY KEY NOT NULL,
	"strategy" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"bar_time" timestamp with time zone NOT NULL,
	"side" text NOT NULL,
	"kind" text DEFAULT 'entry' NOT NULL,
	"entry" bigint NOT NULL,
	"stop" bigint,
	"targets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"strength" integer DEFAULT 50 NOT NULL,
	"conditions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"qty" integer DEFAULT 0 NOT NULL,
	"sizing" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"position_id" bigint
);
--> statement-breakpoint
CREATE TABLE "strategy_performance" (
	"strategy" text NOT NULL,
	"date" date NOT NULL,
	"trades" integer NOT NULL,
	"wins" integer NOT NULL,
	"net" bigint NOT NULL,
	"r_bp" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "strategy_performance_strategy_date_pk" PRIMARY KEY("strategy","date")
);
--> statement-breakpoint
CREATE TABLE "system_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"actor" text,
	"message" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"acknowledged" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"position_id" bigint NOT NULL,
	"symbol" text NOT NULL,
	"strategy" text NOT NULL,
	"side" text NOT NULL,
	"qty" integer NOT NULL,
	"entry_time" timestamp with time zone NOT NULL,
	"entry_price" bigint NOT NULL,
	"exit_time" timestamp with time zone NOT NULL,
	"exit_price" bigint NOT NULL,
	"gross" bigint NOT NULL,
	"charges" bigint NOT NULL,
	"net" bigint NOT NULL,
	"r_bp" integer,
	"exit_reason" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "fills_fill_id" ON "fills" USING btree ("fill_id");--> statement-breakpoint
CREATE UNIQUE INDEX "instruments_exchange_symbol" ON "instruments" USING btree ("exchange","symbol");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_client_order_id" ON "orders" USING btree ("client_order_id");--> statement-breakpoint
CREATE INDEX "orders_status" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "positions_status" ON "positions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "signals_status" ON "signals" USING btree ("status");--> statement-breakpoint
CREATE INDEX "signals_symbol" ON "signals" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "system_events_kind" ON "system_events" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "trades_exit_time" ON "trades" USING btree ("exit_time");