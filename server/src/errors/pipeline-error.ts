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
  | 'database-unavailable'
  /** Another worker took the analysis over (this one's claim lapsed): nothing more is written. */
  | 'claim-lost'
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

/**
 * A database error that a retry can outlive: the connection was refused or cut (server restart,
 * failover), PostgreSQL class 08 (connection exception) or 57P0x (shutdown in progress).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e && !seen.has(e); e = e.cause as typeof e) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    if (/^08|^57P0[123]$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
    if (typeof e.message === 'string' && /Connection terminated|connection timeout|terminating connection|the database system is (starting up|shutting down)/i.test(e.message)) return true;
  }
  return false;
}
