import type { PacsClient } from '../dicomweb/client.ts';
import type { Finding } from '../domain/finding.ts';
import type { ModelInfo, PipelineStage, SeriesSummary, StageTimings, StoredOutputs } from '../domain/analysis.ts';
import type { Volume } from '../domain/volume.ts';
import type { ClaimFence } from '../jobs/queue.ts';
import { assessAnalysis, type Assessment, type GivenPatient } from './assess.ts';
import type { ComparePrior, PriorStudyComparison } from '../priors/compare-with-prior.ts';
import { describeStudy, fetchStudy } from './fetch.ts';
import { keyedResultUids, resultsDigest, type ResultUids } from './result-uids.ts';
import type { BuildVolume } from './volume.ts';

/** Stages 3-5 (lungs, detect, segment + measure) as one call, so the CLI and eval share them. */
export type AnalyzeVolume = (volume: Volume, options: {
  onStage?: (stage: PipelineStage, ms: number) => void;
  /** What the findings' tracking UIDs are made from (`keyedResultUids`); fresh ones without it. */
  runKey?: string;
}) => Promise<{
  findings: Finding[];
  warnings: string[];
  /** Whether lungs were found (no lungs: the exam is Lung-RADS 0); taken as found when left out. */
  lungs?: { found: boolean; reason?: string };
}>;

/** Stages 7-8: build the DICOM results (with the assessment and its report) and store them into the source study. */
export type PublishResults = (input: {
  volume: Volume;
  findings: readonly Finding[];
  assessment: Assessment;
  analysisId: string;
  uids: ResultUids;
  /** Checked before storing, and the record of what was stored written through it. */
  claim: ClaimFence;
  onStage?: (stage: PipelineStage, ms: number) => void;
}) => Promise<StoredOutputs>;

export interface AnalysisPipelineDeps {
  readonly pacs: PacsClient;
  readonly buildVolume: BuildVolume;
  readonly analyze: AnalyzeVolume;
  readonly publish: PublishResults;
  readonly model: ModelInfo;
  /** Stage 5b, between measure and assess: the comparison with the patient's prior CT, if any. */
  readonly comparePrior?: ComparePrior;
}

export interface AnalysisRunInput {
  readonly analysisId: string;
  readonly studyInstanceUid: string;
  /** The analysis's `resultsKey`: with what the results say, what their UIDs are made from (`keyedResultUids`). */
  readonly resultsKey: string;
  /** The run's claim on the analysis, which the publisher checks before it stores anything. */
  readonly claim: ClaimFence;
  /** Series Lungbridge itself stored into the study; never inputs. */
  readonly ignoreSeries: ReadonlySet<string>;
  /** Records the findings before the results are stored, so a store failure loses nothing. */
  readonly onFindings: (findings: readonly Finding[]) => Promise<void>;
  /** Records the assessment (after the findings it refers to), before the results are stored. */
  readonly onAssessment?: (assessment: Assessment, findings: readonly Finding[]) => Promise<void>;
  /** Records the comparison with the prior (after the findings it refers to). */
  readonly onComparison?: (comparison: PriorStudyComparison) => Promise<void>;
  /** Patient inputs given through the API; they override the DICOM patient module. */
  readonly givenPatient?: GivenPatient;
  /** Called as soon as the series is known, so a later failure still leaves it on record. */
  readonly onProgress?: (progress: { series?: SeriesSummary; inputFingerprint?: string; timings: StageTimings; warnings: string[] }) => Promise<void>;
}

export interface AnalysisRunResult {
  readonly series: SeriesSummary;
  readonly findings: Finding[];
  readonly warnings: string[];
  readonly timings: StageTimings;
  readonly outputs: StoredOutputs;
  readonly model: ModelInfo;
  readonly assessment: Assessment;
  readonly comparison?: PriorStudyComparison;
}

/** One study, top to bottom: fetch → volume → analyse → assess → publish. Each stage is timed. */
export async function runAnalysisPipeline(deps: AnalysisPipelineDeps, input: AnalysisRunInput): Promise<AnalysisRunResult> {
  const timings: StageTimings = {};
  const timed = async <T>(stage: PipelineStage, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
    }
  };

  const fetched = await timed('fetch', async () => {
    const candidates = await describeStudy(deps.pacs, input.studyInstanceUid, input.ignoreSeries);
    return fetchStudy(deps.pacs, input.studyInstanceUid, candidates);
  });
  // Recorded before the volume is built: a series that then fails is still known as this input.
  await input.onProgress?.({ inputFingerprint: fetched.inputFingerprint, timings, warnings: [] });
  const { volume, summary } = await timed('volume', () => deps.buildVolume(fetched.slices));
  await input.onProgress?.({ series: summary, timings, warnings: [] });

  const analysed = await deps.analyze(volume, {
    onStage: (stage, ms) => { timings[stage] = Math.round(ms); },
    runKey: `${input.resultsKey} ${fetched.choice.candidate.info.seriesInstanceUid} ${deps.model.name} ${deps.model.version}`,
  });
  const { findings, lungs } = analysed;
  const prior = deps.comparePrior ? await deps.comparePrior({ analysisId: input.analysisId, volume, findings }) : { warnings: [] };
  const { comparison } = prior;
  const warnings = [...analysed.warnings, ...prior.warnings];
  const assessment = await timed('assess', () => assessAnalysis({
    analysisId: input.analysisId,
    analysedAt: new Date(),
    model: deps.model,
    volume,
    findings,
    lungs: lungs ?? { found: true },
    givenPatient: input.givenPatient,
    comparison,
    notes: warnings,
  }));
  await input.onProgress?.({ series: summary, timings, warnings });
  await input.onFindings(findings);
  if (comparison) await input.onComparison?.(comparison);
  await input.onAssessment?.(assessment, findings);

  // Keyed on what they say: the same run done again stores the same objects (result-uids.ts).
  const uids = keyedResultUids(`${input.resultsKey} ${resultsDigest({ findings, report: assessment.report, patientStudy: volume.source.patientStudy })}`);
  const outputs = await deps.publish({ volume, findings, assessment, analysisId: input.analysisId, uids, claim: input.claim, onStage: (stage, ms) => { timings[stage] = Math.round(ms); } });
  return { series: summary, findings, warnings, timings, outputs, model: deps.model, assessment, comparison };
}
