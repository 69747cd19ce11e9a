CREATE TABLE "analyses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"study_instance_uid" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"trigger" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error" text,
	"skip_rule" text,
	"input_fingerprint" text,
	"series" jsonb,
	"model" jsonb,
	"outputs" jsonb,
	"timings" jsonb,
	"warnings" jsonb,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_by" text,
	"claim_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "change_feed_cursors" (
	"source" text PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"analysis_id" uuid NOT NULL,
	"study_instance_uid" text NOT NULL,
	"index" integer NOT NULL,
	"tracking_uid" text NOT NULL,
	"probability" real NOT NULL,
	"measurements" jsonb NOT NULL,
	"mask_offset" jsonb NOT NULL,
	"mask_size" jsonb NOT NULL,
	"mask_data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stored_series" (
	"series_instance_uid" text PRIMARY KEY NOT NULL,
	"study_instance_uid" text NOT NULL,
	"analysis_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_analysis_id_analyses_id_fk" FOREIGN KEY ("analysis_id") REFERENCES "public"."analyses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analyses_study_idx" ON "analyses" USING btree ("study_instance_uid");--> statement-breakpoint
CREATE INDEX "analyses_claimable_idx" ON "analyses" USING btree ("status","run_after");--> statement-breakpoint
CREATE INDEX "analyses_created_idx" ON "analyses" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "analyses_one_active_per_study" ON "analyses" USING btree ("study_instance_uid") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "findings_analysis_idx" ON "findings" USING btree ("analysis_id");--> statement-breakpoint
CREATE INDEX "findings_study_idx" ON "findings" USING btree ("study_instance_uid");--> statement-breakpoint
CREATE INDEX "stored_series_study_idx" ON "stored_series" USING btree ("study_instance_uid");