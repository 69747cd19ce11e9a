import { parseCtSlice } from '../src/dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../src/dicom/read-folder.ts';
import { analyzeVolume } from '../src/pipeline/analyze-volume.ts';
import { buildVolume } from '../src/pipeline/volume.ts';
import { measure } from './measure.ts';

/** Stages 2-5 on a series read from disk (reading the files is not timed): volume → measurements. */
const [dir] = process.argv.slice(2);
const files = await listDicomFiles(dir);
const bytes = await Promise.all(files.map(readFileBytes));
await measure('analysis (volume → measurements)', async () => {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const { volume } = buildVolume(bytes.map((b) => parseCtSlice(b)));
  timings.volume = Math.round(performance.now() - t0);
  const result = await analyzeVolume(volume, { onStage: (stage, ms) => { timings[stage] = Math.round(ms); } });
  return { ...timings, findings: result.findings.length };
});
