import { createClassicalDetector } from '../detect/classical-detector.ts';
import { createModelDetector, defaultModelPath, loadPatchClassifier } from '../inference/model-detector.ts';
import type { Detector } from './detect.ts';

export type DetectorChoice = 'classical' | 'model';

export interface DetectorOptions {
  readonly detector?: DetectorChoice;
  /** The ONNX model file for 'model' (default models/lungbridge-nodule-cnn.onnx). */
  readonly modelPath?: string;
  /** Threads of one analysis: onnxruntime's intra-op threads and the detect stage's (default the host's cores). */
  readonly threads?: number;
}

/**
 * The detector the service, the CLI and the demo use: the trained model (models/MODEL_CARD.md) by
 * default, as it ranks phantom nodules better than the classical detector at every false-positive
 * rate and keeps to one false positive per LIDC slab; 'classical' needs no model file. The
 * model's session is created here once and reused for every analysis.
 */
export async function createDetector(options: DetectorOptions = {}): Promise<Detector> {
  if (options.detector === 'classical') return createClassicalDetector();
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  return createModelDetector(await loadPatchClassifier(options.modelPath ?? defaultModelPath, threads), threads);
}
