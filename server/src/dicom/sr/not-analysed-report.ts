/**
 * A short TID 1500 report saying the AI did NOT analyse a study, and why, so that a radiologist never
 * reads "AI did not run" as "AI found nothing" (the findings report says "No lung nodules detected";
 * this one says nothing about nodules at all, and its series description says NOT ANALYSED).
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { ModelInfo, VolumeSource } from '../../domain/index.ts';
import { codes, type Code } from '../codes.ts';
import { requireText } from '../errors.ts';
import type { InstanceUids } from '../uids.ts';
import { codeItem, containerItem, textItem } from './content-items.ts';
import { buildSrDocument } from './document.ts';
import { deviceObserverContext } from './measurement-report.ts';

export interface NotAnalysedInput {
  readonly source: Pick<VolumeSource, 'studyInstanceUid' | 'patientStudy'>;
  readonly reason: string;
  readonly reasonCode?: Code;
  readonly model: ModelInfo;
  readonly seriesNumber?: number;
  readonly now?: Date;
  readonly uids?: InstanceUids;
}

export function notAnalysedText(reason: string): string {
  return `Lungbridge did NOT analyse this study: ${reason}. No AI result exists; the absence of AI findings is not a negative result.`;
}

export function buildNotAnalysedReport(input: NotAnalysedInput): NaturalizedDataset {
  requireText('reason', input.reason.trim());
  const statements = [
    textItem('CONTAINS', codes.comment, notAnalysedText(input.reason.trim())),
    ...(input.reasonCode ? [codeItem('CONTAINS', codes.comment, input.reasonCode)] : []),
  ];
  const root = containerItem(undefined, codes.imagingMeasurementReport, [
    codeItem('HAS CONCEPT MOD', codes.languageOfContent, codes.englishUs),
    ...deviceObserverContext(input.model),
    codeItem('HAS CONCEPT MOD', codes.procedureReported, codes.ctUnspecifiedBodyRegion),
    containerItem('CONTAINS', codes.imageLibrary, []),
    containerItem('CONTAINS', codes.imagingMeasurements, []),
    containerItem('CONTAINS', codes.qualitativeEvaluations, statements),
  ], '1500');
  return buildSrDocument({
    source: input.source,
    root,
    evidence: [],
    seriesNumber: input.seriesNumber ?? 9103,
    seriesDescription: 'Lungbridge: NOT ANALYSED',
    model: input.model,
    now: input.now ?? new Date(),
    uids: input.uids,
  });
}
