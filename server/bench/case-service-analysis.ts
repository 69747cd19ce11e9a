import { parseCtSlice } from '../src/dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../src/dicom/read-folder.ts';
import { createDefaultEngine } from '../src/engine.ts';
import { assessAnalysis } from '../src/pipeline/assess.ts';
import { measure } from './measure.ts';

/**
 * Stages 2-5 as the service runs them, on its analysis thread (the files read and parsed, and the
 * thread started, beforehand), then the assessment and the encoding of the SR, SEG and PDF (stage
 * 7 but for the STOW), with the longest time the service's own event loop, which answers the API,
 * the viewer and /health, went without a turn meanwhile.
 */
const [dir] = process.argv.slice(2);
const files = await listDicomFiles(dir);
const slices = await Promise.all(files.map(async (f) => parseCtSlice(await readFileBytes(f))));
const engine = await createDefaultEngine();
const tickMs = 10;
await measure('analysis + encode on the service\'s analysis thread', async () => {
  let last = performance.now();
  let longestStallMs = 0;
  const ticks = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last - tickMs);
    last = now;
  }, tickMs);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const { volume } = await engine.buildVolume(slices);
  timings.volume = Math.round(performance.now() - t0);
  const result = await engine.analyze(volume, { onStage: (stage, ms) => { timings[stage] = Math.round(ms); } });
  let started = performance.now();
  const assessment = assessAnalysis({ analysisId: '00000000-0000-4000-8000-000000000000', analysedAt: new Date(), model: engine.model, volume, findings: result.findings, lungs: result.lungs ?? { found: true } });
  timings.assess = Math.round(performance.now() - started);
  started = performance.now();
  await engine.encode({ volume, findings: result.findings, model: engine.model, assessments: assessment.findingAssessments, examLungRads: assessment.exam, notes: assessment.report.notes, report: assessment.report });
  timings.encode = Math.round(performance.now() - started);
  clearInterval(ticks);
  return { detector: `${engine.model.name} ${engine.model.version}`, ...timings, findings: result.findings.length, longestEventLoopStallMs: Math.round(longestStallMs) };
});
await engine.close();
