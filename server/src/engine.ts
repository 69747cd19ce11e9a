import { createClassicalDetector } from './detect/classical-detector.ts';
import type { Detector } from './pipeline/detect.ts';
import { analyzeVolume } from './pipeline/analyze-volume.ts';
import { encodeResults } from './pipeline/encode.ts';
import { storeResults } from './pipeline/store.ts';
import type { AnalysisEngine } from './service.ts';

/**
 * The analysis the service runs: the detector (the classical one until a trained model is
 * configured), the shared analyse stages, and SR + SEG stored back into the study.
 */
/** The detector the service, the CLI and the demo use. */
export async function defaultDetector(): Promise<Detector> {
  return createClassicalDetector();
}

export async function createDefaultEngine(): Promise<AnalysisEngine> {
  const detector = await defaultDetector();
  const model = { name: detector.name, version: detector.version };
  return {
    model,
    analyze: async (volume, options) => {
      const result = await analyzeVolume(volume, { detector, onStage: options.onStage });
      const lungWarning = result.lungs.found ? [] : [`No lungs found, so no nodules were looked for: ${result.lungs.reason ?? 'unknown reason'}`];
      return { findings: result.findings, warnings: [...result.warnings, ...lungWarning] };
    },
    createPublisher: (pacs, database) => async ({ volume, findings, analysisId, onStage }) => {
      let started = performance.now();
      const objects = encodeResults({ volume, findings, model });
      onStage?.('encode', Math.round(performance.now() - started));
      started = performance.now();
      const outputs = await storeResults({ pacs, db: database.db }, { analysisId, studyInstanceUid: volume.source.studyInstanceUid, objects });
      onStage?.('store', Math.round(performance.now() - started));
      return outputs;
    },
  };
}
