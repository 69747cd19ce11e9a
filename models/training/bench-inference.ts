/**
 * Times the model detector on a full-size chest CT: a 320-slice 512 x 512 phantom (0.7 x 1 mm)
 * with five nodules, on the session's two intra-op threads, and prints the stages and peak RSS.
 *
 *   npx tsx models/training/bench-inference.ts [--model models/lungbridge-nodule-cnn.onnx] [--json out.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { proposeCandidates } from '../../server/src/detect/proposals.ts';
import { classifiedProposals, createModelDetector, defaultClassifiedProposals, defaultModelPath, loadPatchClassifier } from '../../server/src/inference/model-detector.ts';
import { createPatchSampler, patchVoxelCount } from '../../server/src/inference/patch.ts';
import { generatePhantom } from '../../server/src/phantom/generate.ts';
import { segmentLungs } from '../../server/src/pipeline/lungs.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: defaultModelPath }, json: { type: 'string' } } });
const seconds = (start: number) => (performance.now() - start) / 1000;

let start = performance.now();
const { volume, truth } = generatePhantom({
  seed: 4242,
  nodules: [
    { diameterMm: 5, type: 'solid', shape: 'round', attachment: 'free' },
    { diameterMm: 8, type: 'part-solid', shape: 'lobulated', attachment: 'juxtavascular' },
    { diameterMm: 12, type: 'ground-glass', shape: 'round', attachment: 'free' },
    { diameterMm: 18, type: 'solid', shape: 'spiculated', attachment: 'juxtapleural' },
    { diameterMm: 6, type: 'solid', shape: 'round', attachment: 'juxtapleural' },
  ],
});
const generateS = seconds(start);
start = performance.now();
const lungs = segmentLungs(volume);
const lungsS = seconds(start);

start = performance.now();
const classifier = await loadPatchClassifier(values.model);
const loadS = seconds(start);
const detector = createModelDetector(classifier);

start = performance.now();
const proposals = proposeCandidates(volume, lungs, { subsolidPass: true });
const proposalsS = seconds(start);

start = performance.now();
const candidates = await detector.detect(volume, lungs);
const detectS = seconds(start);

// The network alone, on as many patches as the detector classified (batches of 64, as it runs them).
const classified = classifiedProposals(proposals, defaultClassifiedProposals, volume.spacing).length;
const voxels = patchVoxelCount(classifier.manifest.patch);
const batch = new Float32Array(64 * voxels);
start = performance.now();
const samplePatch = createPatchSampler(volume, classifier.manifest.patch, lungs.bounds);
const patchGridS = seconds(start);
// Per patch: 512 patches after 64 of warm-up (the first calls of a fresh sampler run unoptimised).
for (let n = 0; n < 64; n++) samplePatch(proposals[n % proposals.length].centreVoxel, batch, n * voxels);
start = performance.now();
for (let n = 0; n < 512; n++) samplePatch(proposals[n % proposals.length].centreVoxel, batch, (n % 64) * voxels);
const samplingPerPatchMs = (performance.now() - start) / 512;
start = performance.now();
for (let done = 0; done < classified; done += 64) await classifier.classify(batch, Math.min(64, classified - done));
const networkS = seconds(start);

const result = {
  series: `${volume.dims.join(' x ')} at ${volume.spacing.map((s) => s.toFixed(2)).join(' x ')} mm`,
  nodules: truth.nodules.length,
  proposals: proposals.length,
  classified,
  secondStage: candidates.length,
  above05: candidates.filter((c) => c.probability >= 0.5).length,
  seconds: { generate: generateS, lungs: lungsS, modelLoad: loadS, proposals: proposalsS, detectTotal: detectS, networkOnly: networkS },
  patchGridSeconds: patchGridS,
  patchSamplingMsPerPatch: samplingPerPatchMs,
  networkMsPerPatch: (networkS * 1000) / classified,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (values.json) await writeFile(values.json, JSON.stringify(result, null, 2));
