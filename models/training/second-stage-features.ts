/**
 * Writes the inputs of the trained detector's second stage (server/src/inference/model-detector.ts,
 * `secondStageScore`) for every proposal it segments, with a label, as JSON lines for
 * fit-second-stage.py (see README.md beside this file):
 *
 *   npx tsx models/training/second-stage-features.ts --out models/training/runs/stage2-seed2.jsonl \
 *     [--phantom-set 20 --seed 2] [--lidc ../shared/data/lidc/LIDC-IDRI-0001]
 *
 * Label 1: the proposal lies within a reference nodule's radius (the eval's hit rule); 0: farther
 * than the radius + 8 mm from every reference nodule and outside the ignored regions (LIDC
 * non-nodules, < 3 mm and minority nodules); others are ambiguous (the edge of a large nodule,
 * which the pipeline's segmentation merges into it) and written with label null.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pointDistanceMm, voxelToPatient } from '../../server/src/domain/volume.ts';
import { lidcScanSpec, loadScan, phantomScanSpec, type ScanSpec } from '../../server/src/eval/scan-spec.ts';
import { createProposalScorer, loadPatchClassifier } from '../../server/src/inference/model-detector.ts';
import { proposalScore } from '../../server/src/detect/classical-detector.ts';
import { findLidcCases } from '../../server/src/lidc/read-case.ts';
import { generatePhantomSet } from '../../server/src/phantom/generate.ts';
import { segmentLungs } from '../../server/src/pipeline/lungs.ts';

/** Beyond a nodule's radius by less than this, a proposal may still segment into the nodule. */
const ambiguousMarginMm = 8;

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'phantom-set': { type: 'string', default: '0' },
    seed: { type: 'string', default: '2' },
    lidc: { type: 'string' },
    model: { type: 'string' },
  },
});
if (!values.out) throw new Error('--out <file.jsonl> is required');
const specs: ScanSpec[] = [
  ...(values.lidc ? (await findLidcCases(values.lidc)).map(lidcScanSpec) : []),
  ...generatePhantomSet(Number(values['phantom-set']), Number(values.seed)).map(phantomScanSpec),
];
const scoreProposals = createProposalScorer(await loadPatchClassifier(values.model));
await writeFile(values.out, '');

for (const spec of specs) {
  const started = performance.now();
  const { volume, reference } = await loadScan(spec);
  const scored = await scoreProposals(volume, segmentLungs(volume));
  const lines = scored.map(({ proposal: p, networkProbability, segmented }) => {
    const at = voxelToPatient(volume, p.centreVoxel);
    const hit = reference.nodules.findIndex((n) => pointDistanceMm(at, n.centreMm) <= Math.max(1.5, n.diameterMm / 2));
    const near = reference.nodules.some((n) => pointDistanceMm(at, n.centreMm) <= n.diameterMm / 2 + ambiguousMarginMm)
      || reference.ignored.some((r) => pointDistanceMm(at, r.centreMm) <= r.radiusMm);
    return JSON.stringify({
      scan: spec.scanId,
      source: spec.source,
      label: hit >= 0 ? 1 : near ? null : 0,
      nodule: hit >= 0 ? reference.nodules[hit].id : null,
      noduleDiameterMm: hit >= 0 ? reference.nodules[hit].diameterMm : null,
      atMm: at,
      pass: p.pass,
      networkProbability,
      blobScore: proposalScore(p),
      blobness: p.blobness,
      response: p.response,
      centreHu: p.centreHu,
      diameterMm: p.diameterMm,
      segmented: segmented ? {
        equivalentDiameterMm: segmented.shape.equivalentDiameterMm,
        roundness: segmented.shape.roundness,
        touchesBox: segmented.touchesBox,
        strands: segmented.strands,
      } : null,
    });
  });
  const nodules = reference.nodules.map((n) => JSON.stringify({ scan: spec.scanId, source: spec.source, reference: n.id, diameterMm: n.diameterMm, type: n.type ?? null }));
  await appendFile(values.out, [...lines, ...nodules].map((l) => `${l}\n`).join(''));
  process.stderr.write(`${spec.scanId}: ${scored.length} proposals scored (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
