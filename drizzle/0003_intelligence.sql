CREATE TABLE "article_sentiments" (
	"article_id" bigint PRIMARY KEY NOT NULL,
	"outcome" text NOT NULL,
	"score" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"reasoning" text DEFAULT '' NOT NULL,
	"topics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"fallback_reason" text,
	"model" text NOT NULL,
	"tokens" integer DEFAULT 0 NOT NULL,
	"scored_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "llm_usage" (
	"date" date PRIMARY KEY NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"fallbacks" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "news_articles" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"url_hash" text NOT NULL,
	"title_hash" text NOT NULL,
	"url" text,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"symbols" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "intelligence" jsonb;--> statement-breakpoint
ALTER TABLE "article_sentiments" ADD CONSTRAINT "article_sentiments_article_id_news_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."news_articles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "news_articles_url_hash" ON "news_articles" USING btree ("url_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "news_articles_title_hash" ON "news_articles" USING btree ("title_hash");--> statement-breakpoint
CREATE INDEX "news_articles_published" ON "news_articles" USING btree ("published_at");