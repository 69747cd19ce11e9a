import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, customType, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import type {
  AnalysisStatus, ModelInfo, SeriesSummary, StageTimings, StoredOutputs,
} from '../domain/analysis.ts';
import type { FindingAssessment, LungRadsResult } from '../domain/assessment.ts';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** One analysis of one study: the queue entry, its outcome and what it produced. */
export const analyses = pgTable('analyses', {
  id: uuid('id').primaryKey().defaultRandom(),
  studyInstanceUid: text('study_instance_uid').notNull(),
  status: text('status').$type<AnalysisStatus>().notNull().default('queued'),
  /** Who asked: 'api', 'auto' (change feed) or 'cli'. */
  trigger: text('trigger').notNull(),
  attempts: integer('attempts').notNull().default(0),
  /** Stable code and human-readable reason of a failure. */
  errorCode: text('error_code'),
  error: text('error'),
  /** The routing rule that skipped the study, with its reason in `error`. */
  skipRule: text('skip_rule'),
  /** The study's input series (ours excluded) when queued, so our own results never re-trigger it. */
  inputFingerprint: text('input_fingerprint'),
  series: jsonb('series').$type<SeriesSummary>(),
  model: jsonb('model').$type<ModelInfo>(),
  outputs: jsonb('outputs').$type<StoredOutputs>(),
  timings: jsonb('timings').$type<StageTimings>(),
  warnings: jsonb('warnings').$type<string[]>(),
  /** Exam-level Lung-RADS of the machine's reading (the reviewed one lives in `reports`). */
  examAssessment: jsonb('exam_assessment').$type<LungRadsResult>(),
  /** Patient inputs for risk models: from the DICOM patient module, then as given through the API. */
  patient: jsonb('patient').$type<Record<string, unknown>>(),
  /** The earlier analysis of the same patient this one was compared with. */
  priorAnalysisId: uuid('prior_analysis_id'),
  /** 'unreviewed' until a reader touches a finding, then 'in-review', 'reviewed' once signed off. */
  reviewState: text('review_state').notNull().default('unreviewed'),
  /** Earliest time a worker may (re)try it: retries back off through this. */
  runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
  /**
   * What the UIDs of the run's results are made from (with what they say, pipeline/result-uids.ts):
   * the same through retries and takeovers, so a run done again stores the same instances; new when
   * the analysis is queued again by hand (`requeueAnalysis`), which asks for a new version.
   */
  resultsKey: uuid('results_key').notNull().defaultRandom(),
  claimedBy: text('claimed_by'),
  claimExpiresAt: timestamp('claim_expires_at', { withTimezone: true }),
  /**
   * Milliseconds, as JavaScript's Date holds them: the list's cursor carries this value, and with
   * PostgreSQL's microseconds the rows after a page's last one in the same millisecond were skipped.
   */
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [
  index('analyses_study_idx').on(t.studyInstanceUid),
  index('analyses_claimable_idx').on(t.status, t.runAfter),
  index('analyses_created_idx').on(t.createdAt),
  // At most one queued or running analysis per study: makes queuing idempotent under races.
  uniqueIndex('analyses_one_active_per_study').on(t.studyInstanceUid).where(sql`status in ('queued', 'running')`),
]);

/** A nodule found by an analysis; measurements as JSON, the mask over its bounding box. */
export const findings = pgTable('findings', {
  id: uuid('id').primaryKey().defaultRandom(),
  analysisId: uuid('analysis_id').notNull().references(() => analyses.id, { onDelete: 'cascade' }),
  studyInstanceUid: text('study_instance_uid').notNull(),
  index: integer('index').notNull(),
  trackingUid: text('tracking_uid').notNull(),
  probability: real('probability').notNull(),
  measurements: jsonb('measurements').$type<Record<string, unknown>>().notNull(),
  maskOffset: jsonb('mask_offset').$type<[number, number, number]>().notNull(),
  maskSize: jsonb('mask_size').$type<[number, number, number]>().notNull(),
  maskData: bytea('mask_data').notNull(),
  /** Lung-RADS and Brock of this nodule. */
  assessment: jsonb('assessment').$type<FindingAssessment>(),
  /** Change against the matched nodule of the prior scan (status, diameter/volume change, VDT). */
  change: jsonb('change').$type<Record<string, unknown>>(),
  /** 'ai' (the detector) or 'reader' (added in review). */
  source: text('source').notNull().default('ai'),
  /** pending | accepted | rejected | edited. */
  reviewStatus: text('review_status').notNull().default('pending'),
  reviewNote: text('review_note'),
  reviewedBy: text('reviewed_by'),
  reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  /** The machine's original measurements, kept when a reader edits them. */
  original: jsonb('original').$type<Record<string, unknown>>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('findings_analysis_idx').on(t.analysisId),
  index('findings_study_idx').on(t.studyInstanceUid),
]);

/** Each issued version of an analysis's report: the machine's (version 1) and every review's. */
export const reports = pgTable('reports', {
  id: uuid('id').primaryKey().defaultRandom(),
  analysisId: uuid('analysis_id').notNull().references(() => analyses.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  /** 'machine' or 'review'. */
  origin: text('origin').notNull(),
  issuedBy: text('issued_by').notNull(),
  /** The structured report (report/build-report.ts LungScreeningReport). */
  content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  /** SR, SEG and Encapsulated PDF stored for this version. */
  outputs: jsonb('outputs').$type<Record<string, string>>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('reports_analysis_version_idx').on(t.analysisId, t.version)]);

/** Where each PACS change feed was read up to (Orthanc's `/changes` sequence number). */
export const changeFeedCursors = pgTable('change_feed_cursors', {
  source: text('source').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Series that Lungbridge itself stored into the PACS; they never trigger routing. */
export const storedSeries = pgTable('stored_series', {
  seriesInstanceUid: text('series_instance_uid').primaryKey(),
  studyInstanceUid: text('study_instance_uid').notNull(),
  analysisId: uuid('analysis_id').notNull(),
  kind: text('kind').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('stored_series_study_idx').on(t.studyInstanceUid)]);

/** Every API write: who, when, what, before and after. */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id'),
  before: jsonb('before'),
  after: jsonb('after'),
  requestId: text('request_id'),
}, (t) => [index('audit_log_entity_idx').on(t.entityType, t.entityId)]);
