import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/client.ts';
import { isTransientDatabaseError, PipelineError } from '../errors/pipeline-error.ts';
import type { Logger } from '../logger.ts';
import { claimNextAnalysis, finishClaimed, renewClaim, type AnalysisRow } from './queue.ts';
import type { analyses } from '../db/schema.ts';
import { errorMessage } from '../errors/error-message.ts';

export type AnalysisPatch = Partial<typeof analyses.$inferInsert>;

/** Runs one claimed analysis; returns what to record on success. Throws PipelineError otherwise. */
export type RunAnalysis = (analysis: AnalysisRow, context: { workerId: string; signal: AbortSignal }) => Promise<AnalysisPatch>;

export interface WorkerOptions {
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly claimTtlSeconds: number;
  readonly pollMs: number;
}

export interface WorkerEvents {
  onFinished?(analysis: AnalysisRow, status: 'succeeded' | 'failed' | 'retrying', patch: AnalysisPatch): void;
}

/** Exponential back-off with ±20 % jitter so that retries of many analyses do not align. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(Math.min(exponential, 10 * 60_000) * (0.8 + Math.random() * 0.4));
}

function describe(error: unknown): { code: string; message: string; transient: boolean } {
  if (error instanceof PipelineError) return { code: error.code, message: error.message, transient: error.transient };
  if (isTransientDatabaseError(error)) return { code: 'database-unavailable', message: `Database unavailable: ${(error as Error).message}`, transient: true };
  return { code: 'internal', message: `Internal error: ${errorMessage(error)}`, transient: false };
}

/**
 * Claims analyses and runs them, `concurrency` at a time. While one runs its claim is renewed;
 * if this process dies, the claim expires and another worker takes the analysis over. Outcome
 * writes are fenced on the claim and retried while the database is briefly away.
 */
export class AnalysisWorkers {
  private readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private controller = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly db: Db,
    private readonly run: RunAnalysis,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
    private readonly events: WorkerEvents = {},
  ) {}

  start(): void {
    if (this.loops.length) return;
    this.controller = new AbortController();
    for (let slot = 0; slot < this.options.concurrency; slot++) this.loops.push(this.loop(`${this.workerId}/${slot}`));
  }

  /**
   * Stops claiming and waits up to `graceMs` for running analyses to end. One that runs longer is
   * left behind: its claim expires and another worker (after a restart, or elsewhere) takes it over,
   * while the fenced outcome write keeps the late one from finishing it a second time.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.loops),
      new Promise((resolve) => { timer = setTimeout(resolve, graceMs); }),
    ]);
    clearTimeout(timer);
    this.loops = [];
  }

  private sleep(ms: number): Promise<void> {
    const { signal } = this.controller;
    return new Promise((resolve) => {
      const wake = () => { clearTimeout(timer); signal.removeEventListener('abort', wake); resolve(); };
      const timer = setTimeout(wake, ms);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private async loop(workerId: string): Promise<void> {
    while (!this.controller.signal.aborted) {
      let claimed: AnalysisRow | undefined;
      try {
        claimed = await claimNextAnalysis(this.db, workerId, this.options.claimTtlSeconds, this.options.maxAttempts);
      } catch (error) {
        this.log.warn('claim failed (database unavailable?)', { error: String(error) });
      }
      if (!claimed) {
        await this.sleep(this.options.pollMs);
        continue;
      }
      await this.execute(claimed, workerId);
    }
  }

  private async execute(analysis: AnalysisRow, workerId: string): Promise<void> {
    const log = this.log.child({ analysisId: analysis.id, studyInstanceUid: analysis.studyInstanceUid, attempt: analysis.attempts });
    log.info('analysis started');
    const renewEveryMs = (this.options.claimTtlSeconds * 1000) / 3;
    const heartbeat = setInterval(() => {
      renewClaim(this.db, analysis.id, workerId, this.options.claimTtlSeconds)
        .then((ours) => { if (!ours) log.warn('claim lost to another worker'); })
        .catch((error) => log.warn('claim renewal failed', { error: String(error) }));
    }, renewEveryMs);
    let patch: AnalysisPatch;
    let outcome: 'succeeded' | 'failed' | 'retrying';
    try {
      const result = await this.run(analysis, { workerId, signal: this.controller.signal });
      patch = { ...result, status: 'succeeded', error: null, errorCode: null, finishedAt: new Date() };
      outcome = 'succeeded';
    } catch (error) {
      const { code, message, transient } = describe(error);
      if (this.controller.signal.aborted) {
        // Shutting down: leave the claim to expire so the analysis resumes after the restart.
        clearInterval(heartbeat);
        log.info('analysis interrupted by shutdown');
        return;
      }
      if (transient && analysis.attempts < this.options.maxAttempts) {
        const delay = retryDelayMs(analysis.attempts, this.options.retryBaseMs);
        patch = { status: 'queued', errorCode: code, error: `Attempt ${analysis.attempts} failed, retrying in ${Math.round(delay / 1000)} s: ${message}`, runAfter: new Date(Date.now() + delay) };
        outcome = 'retrying';
      } else {
        const reason = transient ? `Gave up after ${analysis.attempts} attempts: ${message}` : message;
        patch = { status: 'failed', errorCode: code, error: reason, finishedAt: new Date() };
        outcome = 'failed';
      }
      log.warn(`analysis ${outcome}`, { code, message });
    } finally {
      clearInterval(heartbeat);
    }
    await this.recordOutcome(analysis, workerId, patch, outcome, log);
  }

  private async recordOutcome(analysis: AnalysisRow, workerId: string, patch: AnalysisPatch, outcome: 'succeeded' | 'failed' | 'retrying', log: Logger): Promise<void> {
    const deadline = Date.now() + this.options.claimTtlSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        const ours = await finishClaimed(this.db, analysis.id, workerId, patch);
        if (!ours) log.warn('outcome discarded: the claim was taken over by another worker');
        else {
          log.info(`analysis ${outcome}`);
          this.events.onFinished?.(analysis, outcome, patch);
        }
        return;
      } catch (error) {
        // The database is away (restart): keep trying while our claim would still be valid.
        if (Date.now() > deadline || this.controller.signal.aborted) {
          log.error('could not record the outcome; the claim will expire and the analysis run again', { error: String(error) });
          return;
        }
        await this.sleep(Math.min(5000, 250 * attempt));
      }
    }
  }
}
