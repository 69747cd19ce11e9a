CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"analysis_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"origin" text NOT NULL,
	"issued_by" text NOT NULL,
	"content" jsonb NOT NULL,
	"outputs" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analyses" ADD COLUMN "exam_assessment" jsonb;--> statement-breakpoint
ALTER TABLE "analyses" ADD COLUMN "patient" jsonb;--> statement-breakpoint
ALTER TABLE "analyses" ADD COLUMN "prior_analysis_id" uuid;--> statement-breakpoint
ALTER TABLE "analyses" ADD COLUMN "review_state" text DEFAULT 'unreviewed' NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "assessment" jsonb;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "change" jsonb;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "source" text DEFAULT 'ai' NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "review_status" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "review_note" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "reviewed_by" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "original" jsonb;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_analysis_id_analyses_id_fk" FOREIGN KEY ("analysis_id") REFERENCES "public"."analyses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reports_analysis_version_idx" ON "reports" USING btree ("analysis_id","version");