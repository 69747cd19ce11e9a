/** The analysis thread (analysis-thread.ts): makes the detector once, then analyses the volumes it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetector, type DetectorOptions } from '../pipeline/create-detector.ts';
import { analyzeVolume } from '../pipeline/analyze-volume.ts';
import { keyedResultUids } from '../pipeline/result-uids.ts';
import { sendableError, type AnalysisMessage, type AnalysisRequest } from './analysis-thread.ts';

const port = parentPort;
if (!port) throw new Error('analysis-thread-entry.ts runs only as the analysis thread');
const send = (message: AnalysisMessage) => port.postMessage(message);

try {
  const detector = await createDetector((workerData as { detector: DetectorOptions }).detector);
  port.on('message', async ({ id, volume, runKey }: AnalysisRequest) => {
    try {
      const analysis = await analyzeVolume(volume, {
        detector,
        onStage: (stage, ms) => send({ kind: 'stage', id, stage, ms }),
        ...(runKey ? { trackingUid: keyedResultUids(runKey).trackingUid } : {}),
      });
      send({ kind: 'done', id, analysis });
    } catch (error) {
      send({ kind: 'failed', id, error: sendableError(error) });
    }
  });
  send({ kind: 'ready', model: { name: detector.name, version: detector.version } });
} catch (error) {
  send({ kind: 'start-failed', error: sendableError(error) });
}
