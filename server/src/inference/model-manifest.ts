import { z } from 'zod';
import type { PatchGeometry } from './patch.ts';

/** Weights of the detector's second stage (model-detector.ts, `secondStageScore`), fitted after the network. */
export const secondStageWeightsSchema = z.strictObject({
  intercept: z.number(),
  networkLogit: z.number(),
  blobScoreLogit: z.number(),
  blobness: z.number(),
  response: z.number(),
  centreHu: z.number(),
  logScaleDiameter: z.number(),
  segmented: z.number(),
  logMaskDiameter: z.number(),
  roundness: z.number(),
  touchesBox: z.number(),
  strandsPerSize: z.number(),
  /** Added to the logit of a proposal of the subsolid pass (since model 1.4.0; older models read as 0). */
  subsolidPass: z.number().default(0),
  /**
   * Times (response - 150) / 50 of a proposal of the subsolid pass (since model 1.5.0; older models
   * read as 0): its response is the ground glass's contrast, where `response` weighs that of the
   * pass over every density, in which vessels respond most.
   */
  subsolidResponse: z.number().default(0),
});
export type SecondStageWeights = z.infer<typeof secondStageWeightsSchema>;

/** What the server needs to know about a patch classifier, read from its ONNX metadata_props. */
export interface ModelManifest {
  readonly name: string;
  readonly version: string;
  /** Patch grid the network was trained on: [x, y, z] voxels and mm. */
  readonly patch: PatchGeometry;
  /** HU window applied inside the graph (informational: the input is raw HU). */
  readonly huWindow: readonly [number, number];
  readonly output: string;
  readonly trainingData: string;
  /** Absent in models without a second stage: the network's probability is the candidate's. */
  readonly secondStage?: SecondStageWeights;
}

function numbers(metadata: Readonly<Record<string, string>>, key: string, count: number): number[] {
  const raw = metadata[key];
  if (raw === undefined) throw new Error(`model metadata: "${key}" is missing`);
  const values = raw.split(',').map(Number);
  if (values.length !== count || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`model metadata: "${key}" must be ${count} comma-separated numbers, got "${raw}"`);
  }
  return values;
}

function secondStage(metadata: Readonly<Record<string, string>>): SecondStageWeights | undefined {
  const raw = metadata.second_stage;
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('model metadata: "second_stage" must be JSON');
  }
  const parsed = secondStageWeightsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`model metadata: "second_stage" must hold every weight as a number (${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')})`);
  return parsed.data;
}

function text(metadata: Readonly<Record<string, string>>, key: string): string {
  const value = metadata[key];
  if (!value) throw new Error(`model metadata: "${key}" is missing or empty`);
  return value;
}

/** Validates the metadata written by models/training/train.py; errors name the key and the rule. */
export function parseModelManifest(metadata: Readonly<Record<string, string>>): ModelManifest {
  const size = numbers(metadata, 'patch_size', 3);
  if (size.some((n) => !Number.isInteger(n) || n < 4 || n > 128)) throw new Error(`model metadata: "patch_size" must be integers from 4 to 128, got ${size.join(',')}`);
  const spacing = numbers(metadata, 'patch_spacing_mm', 3);
  if (spacing.some((s) => !(s > 0.1 && s <= 10))) throw new Error(`model metadata: "patch_spacing_mm" must be above 0.1 and at most 10 mm, got ${spacing.join(',')}`);
  const window = numbers(metadata, 'hu_window', 2);
  if (!(window[0] < window[1])) throw new Error(`model metadata: "hu_window" must be low,high with low < high, got ${window.join(',')}`);
  return {
    name: text(metadata, 'name'),
    version: text(metadata, 'version'),
    patch: { size: [size[0], size[1], size[2]], spacingMm: [spacing[0], spacing[1], spacing[2]] },
    huWindow: [window[0], window[1]],
    output: text(metadata, 'output'),
    trainingData: text(metadata, 'training_data'),
    ...(metadata.second_stage === undefined ? {} : { secondStage: secondStage(metadata) }),
  };
}
