/**
 * Why an analysis cannot proceed. `transient` errors (PACS unreachable, 5xx, timeouts) are retried
 * with backoff; the others fail the analysis at once with `message` as its human-readable reason.
 */
export type PipelineErrorCode =
  | 'not-ct'
  | 'no-usable-series'
  | 'mixed-orientation'
  | 'inconsistent-geometry'
  | 'missing-slice'
  | 'duplicate-position'
  | 'gantry-tilt'
  | 'single-slice'
  | 'unsupported-pixels'
  | 'malformed-dicom'
  | 'study-not-found'
  | 'pacs-unavailable'
  | 'pacs-rejected'
  | 'no-lungs'
  | 'internal';

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    readonly transient = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof PipelineError && error.transient;
}
