/** The analysis thread (analysis-thread.ts): makes the detector once, then stacks, masks and analyses the volumes it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetector, type DetectorOptions } from '../pipeline/create-detector.ts';
import { analyzeVolume } from '../pipeline/analyze-volume.ts';
import { encodeResults } from '../pipeline/encode.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { lungSurface } from '../priors/register.ts';
import { keyedResultUids } from '../pipeline/result-uids.ts';
import { buildVolume } from '../pipeline/volume.ts';
import { ownBuffers, sendableError, type AnalysisMessage, type AnalysisRequest } from './analysis-thread.ts';

const port = parentPort;
if (!port) throw new Error('analysis-thread-entry.ts runs only as the analysis thread');
const send = (message: AnalysisMessage) => port.postMessage(message);

try {
  const detector = await createDetector((workerData as { detector: DetectorOptions }).detector);
  port.on('message', async (request: AnalysisRequest) => {
    const { id } = request;
    try {
      if (request.kind === 'volume') {
        send({ kind: 'done', id, result: buildVolume(request.slices) });
        return;
      }
      if (request.kind === 'lung-surface') {
        send({ kind: 'done', id, result: lungSurface(request.volume, segmentLungs(request.volume).mask) });
        return;
      }
      if (request.kind === 'encode') {
        const { instanceUids, ...results } = request.results;
        const objects = encodeResults({ ...results, uids: { instance: (kind) => instanceUids[kind] } });
        port.postMessage({ kind: 'done', id, result: objects } satisfies AnalysisMessage, ownBuffers(objects.map((o) => o.part10)));
        return;
      }
      if (request.kind === 'lungs') {
        const lungs = segmentLungs(request.volume);
        port.postMessage({ kind: 'done', id, result: lungs } satisfies AnalysisMessage, [lungs.mask.buffer as ArrayBuffer]);
        return;
      }
      const analysis = await analyzeVolume(request.volume, {
        detector,
        onStage: (stage, ms) => send({ kind: 'stage', id, stage, ms }),
        ...(request.runKey ? { trackingUid: keyedResultUids(request.runKey).trackingUid } : {}),
      });
      send({ kind: 'done', id, result: analysis });
    } catch (error) {
      send({ kind: 'failed', id, error: sendableError(error) });
    }
  });
  send({ kind: 'ready', model: { name: detector.name, version: detector.version } });
} catch (error) {
  send({ kind: 'start-failed', error: sendableError(error) });
}
