export const analysisStatuses = ['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type AnalysisStatus = (typeof analysisStatuses)[number];

export const pipelineStages = [
  'fetch', 'volume', 'lungs', 'detect', 'segment', 'measure', 'assess', 'encode', 'store',
] as const;
export type PipelineStage = (typeof pipelineStages)[number];

/** Milliseconds spent per stage of one run. */
export type StageTimings = Partial<Record<PipelineStage, number>>;

/** What the analysis record keeps about the series it chose and the volume built from it. */
export interface SeriesSummary {
  readonly seriesInstanceUid: string;
  readonly seriesDescription?: string;
  readonly sliceCount: number;
  /** [column, row, slice] spacing in mm. */
  readonly spacingMm: readonly [number, number, number];
  readonly huRange: readonly [number, number];
  /** What a reader recognises the study by (from the source's patient and study modules). */
  readonly patientId?: string;
  readonly studyDate?: string;
  readonly studyDescription?: string;
  readonly accessionNumber?: string;
}

/** The DICOM objects an analysis stored back into the PACS. */
export interface StoredOutputs {
  readonly srSopInstanceUid?: string;
  readonly srSeriesInstanceUid?: string;
  readonly segSopInstanceUid?: string;
  readonly segSeriesInstanceUid?: string;
}

export interface ModelInfo {
  readonly name: string;
  readonly version: string;
}
