import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { saveFindings } from './db/findings-repo.ts';
import { PacsClient } from './dicomweb/client.ts';
import { OrthancRest } from './dicomweb/orthanc-rest.ts';
import { createApp } from './http/app.ts';
import { ServiceMetrics } from './http/metrics.ts';
import { OrthancChangeFeed } from './jobs/change-feed.ts';
import { claimFence, recordProgress } from './jobs/queue.ts';
import { routeStableStudy, seriesStoredByUs } from './jobs/router.ts';
import { AnalysisWorkers, type AnalysisPatch, type RunAnalysis } from './jobs/worker.ts';
import type { AnalysisRow } from './jobs/queue.ts';
import { createPriorComparer } from './priors/compare-with-prior.ts';
import { saveComparison } from './priors/comparison-repo.ts';
import type { Logger } from './logger.ts';
import { runAnalysisPipeline, type AnalyzeVolume, type PublishResults } from './pipeline/run-analysis.ts';
import type { GivenPatient } from './pipeline/assess.ts';
import { reportNotAnalysed, wantsNotAnalysedReport } from './pipeline/not-analysed.ts';
import { saveAssessment } from './report/report-repo.ts';
import type { ModelInfo } from './domain/analysis.ts';
import type { Volume } from './domain/volume.ts';
import type { LungMask } from './pipeline/lungs.ts';
import type { EncodeResults } from './pipeline/encode.ts';
import type { BuildVolume } from './pipeline/volume.ts';
import type { LungSurface } from './priors/register.ts';

export interface AnalysisEngine {
  readonly analyze: AnalyzeVolume;
  /** Builds and stores the DICOM results; given the PACS and the database to record what it stored. */
  createPublisher(pacs: PacsClient, database: Database): PublishResults;
  readonly model: ModelInfo;
  /** Stage 2, the volume stacked from the fetched slices. */
  readonly buildVolume: BuildVolume;
  /** The lung mask of a scan, for a reader's added nodule. */
  readonly lungs: (volume: Volume) => Promise<LungMask>;
  /** The surface of a scan's lungs, which a comparison with a prior registers. */
  readonly lungSurface: (volume: Volume) => Promise<LungSurface>;
  /** The SR, SEG and PDF of a completed review (a run's are its publisher's). */
  readonly encode: EncodeResults;
  /** Stops what the engine runs (its analysis thread); its owner calls it, after the service has stopped. */
  close(): Promise<void>;
}

export interface Service {
  readonly config: Config;
  readonly database: Database;
  readonly pacs: PacsClient;
  readonly url: string;
  readonly changeFeed: OrthancChangeFeed;
  readonly workers: AnalysisWorkers;
  /** Stops in reverse order; running analyses get `graceMs` before their claims are left to expire. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts Lungbridge in order: database (migrated) → PACS clients → HTTP → workers → change feed;
 * `stop()` reverses it, letting running analyses resume elsewhere (their claims expire).
 */
export async function startService(config: Config, engine: AnalysisEngine, log: Logger): Promise<Service> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const dicomWebUrl = `${config.orthanc.url}${config.orthanc.dicomWebRoot}`;
  const pacs = new PacsClient({ dicomWebUrl, username: config.orthanc.username, password: config.orthanc.password });
  const orthanc = new OrthancRest(config.orthanc.url, config.orthanc.username, config.orthanc.password);
  const metrics = new ServiceMetrics();
  const publish = engine.createPublisher(pacs, database);

  const app = createApp({ config, database, pacs, orthanc, log, metrics, lungs: engine.lungs, buildVolume: engine.buildVolume, encode: engine.encode });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Idle keep-alive connections outlast those of the reverse proxies and clients in front (nginx
  // 60 s, Node's fetch 4 s): a client must not send on a socket that the server is just closing, which
  // it sees as ECONNRESET (seen once in CI on a loaded machine with Node's 5 s default).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;

  // A prior study analysed inline for a comparison runs with `withPriors` false: no chain of priors.
  const execute = async (analysis: AnalysisRow, workerId: string, withPriors: boolean): Promise<AnalysisPatch> => {
    const started = performance.now();
    const givenPatient = analysis.patient?.given as GivenPatient | undefined;
    const comparePrior = withPriors
      ? createPriorComparer({ db: database.db, pacs, buildVolume: engine.buildVolume, lungSurface: engine.lungSurface, workerId, claimTtlSeconds: config.workers.claimTtlSeconds, runInline: (prior) => execute(prior, workerId, false) })
      : undefined;
    // Every write of the run holds its claim: a worker that paused past it and lost the analysis changes nothing.
    const claim = claimFence(database.db, analysis.id, workerId);
    const result = await runAnalysisPipeline({ pacs, buildVolume: engine.buildVolume, analyze: engine.analyze, publish, model: engine.model, comparePrior }, {
      analysisId: analysis.id,
      studyInstanceUid: analysis.studyInstanceUid,
      resultsKey: analysis.resultsKey,
      claim,
      ignoreSeries: await seriesStoredByUs(database.db, analysis.studyInstanceUid),
      onProgress: (progress) => recordProgress(database.db, analysis.id, workerId, { ...progress, model: engine.model }),
      onFindings: (findings) => claim.write((tx) => saveFindings(tx, analysis.id, analysis.studyInstanceUid, findings)),
      givenPatient,
      onComparison: (comparison) => claim.write((tx) => saveComparison(tx, analysis.id, comparison)),
      onAssessment: (assessment, findings) => claim.write((tx) => saveAssessment(tx, analysis.id, {
        exam: assessment.exam,
        patient: { ...assessment.patient, ...(givenPatient ? { given: givenPatient } : {}) },
        findings: findings.map((f, n) => ({ index: f.index, assessment: assessment.findingAssessments[n] })),
      })),
    });
    for (const [stage, ms] of Object.entries(result.timings)) metrics.stageDuration.observe({ stage }, ms / 1000);
    metrics.analysisDuration.observe({}, (performance.now() - started) / 1000);
    return { series: result.series, timings: result.timings, warnings: result.warnings, outputs: result.outputs, model: result.model };
  };
  const run: RunAnalysis = (analysis, { workerId }) => execute(analysis, workerId, true);
  // A failed analysis tells the PACS it did not run (best effort; the PACS may be what failed).
  const notAnalysedReports = new Set<Promise<unknown>>();
  const workers = new AnalysisWorkers(database.db, run, config.workers, log.child({ component: 'worker' }), {
    onFinished: (analysis, status, patch) => {
      if (status !== 'failed' || !wantsNotAnalysedReport(patch.errorCode)) return;
      const stored = reportNotAnalysed({ pacs, db: database.db, model: engine.model }, {
        analysisId: analysis.id,
        studyInstanceUid: analysis.studyInstanceUid,
        reason: `the analysis failed: ${patch.error ?? patch.errorCode ?? 'unknown reason'}`,
      }).catch((error) => log.warn('could not record the "not analysed" SR', { analysisId: analysis.id, error: String(error) }))
        .finally(() => notAnalysedReports.delete(stored));
      notAnalysedReports.add(stored);
    },
  });
  workers.start();

  const changeFeed = new OrthancChangeFeed(
    database.db,
    orthanc,
    async (studyInstanceUid) => { await routeStableStudy({ db: database.db, pacs, rules: config.routing.rules, log, model: engine.model }, studyInstanceUid); },
    config.routing.pollMs,
    log.child({ component: 'change-feed' }),
  );
  if (config.routing.enabled) changeFeed.start();
  log.info('Lungbridge started', { url, database: database.kind, orthanc: config.orthanc.url });

  return {
    config, database, pacs, url, changeFeed, workers,
    async stop(graceMs?: number) {
      await changeFeed.stop();
      await workers.stop(graceMs);
      await Promise.allSettled(notAnalysedReports);
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await database.close();
    },
  };
}
