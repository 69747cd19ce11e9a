import { existsSync } from 'node:fs';
import { createClassicalDetector } from '../detect/classical-detector.ts';
import { createModelDetector, defaultModelPath, loadPatchClassifier } from '../inference/model-detector.ts';
import type { Detector } from '../pipeline/detect.ts';

/**
 * The detectors `lungbridge eval --detector` can run, by the name given on the command line.
 * Async so that a detector can load its model (an ONNX session) here; add it under its own name
 * ('model') and `--detector all` prints it beside the others on the same scans.
 */
export async function availableDetectors(): Promise<Record<string, Detector>> {
  const detectors: Record<string, Detector> = { classical: createClassicalDetector() };
  // The trained model when its ONNX file is there (models/MODEL_CARD.md).
  if (existsSync(defaultModelPath)) detectors.model = createModelDetector(await loadPatchClassifier());
  return detectors;
}

/** The detectors for `--detector <name | all>`; an unknown or unavailable name throws, listing what is available. */
export async function selectDetectors(choice: string): Promise<Record<string, Detector>> {
  const all = await availableDetectors();
  if (choice === 'all') return all;
  const detector = all[choice];
  if (!detector) throw new Error(`detector "${choice}" is not available (available: ${Object.keys(all).join(', ')}, all)`);
  return { [choice]: detector };
}
