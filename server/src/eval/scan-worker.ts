/**
 * Worker process of `runEvaluation` with jobs > 1: evaluates one scan (a WorkerRequest) with the
 * registry's detectors and the real pipeline, sends back its ScanRuns, and exits.
 */
import { analyzeVolume } from '../pipeline/analyze-volume.ts';
import { selectDetectors } from './detectors.ts';
import { evaluateScan, type WorkerRequest } from './run-eval.ts';
import { loadScan } from './scan-spec.ts';
import { errorMessage } from '../errors/error-message.ts';

process.once('message', (request: WorkerRequest) => {
  selectDetectors(request.detector)
    .then((detectors) => evaluateScan(request.spec, loadScan, detectors, analyzeVolume, request))
    .then(
      (runs) => process.send!({ runs }),
      (error: unknown) => process.send!({ error: errorMessage(error) }),
    );
});
