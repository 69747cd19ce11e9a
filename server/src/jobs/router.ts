import { eq } from 'drizzle-orm';
import type { RoutingRules } from '../config.ts';
import type { Db } from '../db/client.ts';
import { storedSeries } from '../db/schema.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import type { Logger } from '../logger.ts';
import { describeStudy, inputFingerprint } from '../pipeline/fetch.ts';
import { reportNotAnalysed } from '../pipeline/not-analysed.ts';
import type { SeriesCandidate } from '../pipeline/select-series.ts';
import { enqueueAnalysis, latestAnalysisOfStudy, recordSkipped, type AnalysisRow } from './queue.ts';
import { evaluateRouting } from './routing.ts';

export async function seriesStoredByUs(db: Db, studyInstanceUid: string): Promise<Set<string>> {
  const rows = await db.select({ uid: storedSeries.seriesInstanceUid }).from(storedSeries)
    .where(eq(storedSeries.studyInstanceUid, studyInstanceUid));
  return new Set(rows.map((r) => r.uid));
}

export type RouteOutcome =
  | { readonly action: 'queued' | 'already-active'; readonly analysis: AnalysisRow }
  | { readonly action: 'skipped'; readonly analysis: AnalysisRow }
  | { readonly action: 'unchanged'; readonly analysis?: AnalysisRow };

/**
 * A study a reader would expect the AI to have read: a CT series whose body part is a chest one or
 * not given. When routing turns such a study away (too few slices, too thick, another series
 * description), a "not analysed" SR says so in the PACS; other modalities and body parts get none.
 */
export function looksLikeChestCt(candidates: readonly SeriesCandidate[], modality: string): boolean {
  return candidates.some((c) => c.info.modality === modality && /^(|chest|lung|lungs|thorax)$/i.test((c.info.bodyPartExamined ?? '').trim()));
}

/**
 * Decides what a stable study needs. Our own SR/SEG series are left out of the study's input, so
 * storing results (which makes Orthanc announce the study as stable again) changes nothing and
 * never queues a new analysis; new images from the modality do.
 */
export async function routeStableStudy(deps: { db: Db; pacs: PacsClient; rules: RoutingRules; log: Logger; model?: ModelInfo }, studyInstanceUid: string): Promise<RouteOutcome> {
  const ours = await seriesStoredByUs(deps.db, studyInstanceUid);
  const candidates = await describeStudy(deps.pacs, studyInstanceUid, ours);
  const fingerprint = inputFingerprint(candidates);
  const latest = await latestAnalysisOfStudy(deps.db, studyInstanceUid);
  if (latest && latest.inputFingerprint === fingerprint) return { action: 'unchanged', analysis: latest };
  const decision = evaluateRouting(candidates, deps.rules);
  if (!decision.match) {
    const analysis = await recordSkipped(deps.db, { studyInstanceUid, rule: decision.rule, reason: decision.reason, inputFingerprint: fingerprint });
    deps.log.info('study skipped by routing rules', { studyInstanceUid, rule: decision.rule, reason: decision.reason });
    if (deps.model && decision.rule !== 'modality' && looksLikeChestCt(candidates, deps.rules.modality)) {
      await reportNotAnalysed({ pacs: deps.pacs, db: deps.db, model: deps.model }, {
        analysisId: analysis.id,
        studyInstanceUid,
        reason: `routing rule ${decision.rule}: ${decision.reason}`,
      });
    }
    return { action: 'skipped', analysis };
  }
  const { analysis, created } = await enqueueAnalysis(deps.db, { studyInstanceUid, trigger: 'auto', inputFingerprint: fingerprint });
  deps.log.info(created ? 'study queued' : 'study already queued', { studyInstanceUid, analysisId: analysis.id });
  return { action: created ? 'queued' : 'already-active', analysis };
}
