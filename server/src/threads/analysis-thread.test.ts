import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '../domain/volume.ts';
import { ctSliceDatasets } from '../dicom/ct-writer.ts';
import { parseCtSlice } from '../dicom/ct-slice.ts';
import { toPart10 } from '../dicom/part10.ts';
import dcmjs from 'dcmjs';
import { PipelineError } from '../errors/pipeline-error.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { analyzeVolume } from '../pipeline/analyze-volume.ts';
import { assessAnalysis } from '../pipeline/assess.ts';
import { encodeResults } from '../pipeline/encode.ts';
import { createDetector } from '../pipeline/create-detector.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { keyedResultUids } from '../pipeline/result-uids.ts';
import { lungSurface } from '../priors/register.ts';
import { buildVolume } from '../pipeline/volume.ts';
import { receivedError, sendableError, startAnalysisThread, type AnalysisThread } from './analysis-thread.ts';

/** A phantom whose voxels sit on shared memory, as buildVolume puts a fetched series. */
function sharedVolume(volume: Volume): Volume {
  const voxels = new Int16Array(new SharedArrayBuffer(volume.voxels.byteLength));
  voxels.set(volume.voxels);
  return { ...volume, voxels };
}

describe('the analysis thread', () => {
  const phantom = generatePhantom({
    seed: 77, matrix: 192, pixelSpacingMm: 1.6, slices: 48, sliceSpacingMm: 2.5,
    nodules: [
      { diameterMm: 8, type: 'solid', shape: 'round', attachment: 'free' },
      { diameterMm: 10, type: 'part-solid', shape: 'lobulated', attachment: 'juxtavascular' },
    ],
  });
  const { volume } = phantom;
  const threads: AnalysisThread[] = [];
  afterAll(() => Promise.all(threads.map((t) => t.close())));

  it('finds what the calling thread finds, with the run\'s tracking UIDs, and reports each stage', async () => {
    const thread = await startAnalysisThread({ detector: 'model', threads: 2 });
    threads.push(thread);
    const here = await analyzeVolume(volume, { detector: await createDetector({ detector: 'model', threads: 2 }) });
    expect(thread.model).toEqual(here.detector);

    const stages: string[] = [];
    const there = await thread.analyze(sharedVolume(volume), { runKey: 'run-1', onStage: (stage) => stages.push(stage) });
    expect(stages).toEqual(['lungs', 'detect', 'segment', 'measure']);
    expect(there.findings.length).toBeGreaterThan(0);
    const comparable = (findings: typeof here.findings) => findings.map(({ trackingUid: _, ...f }) => f);
    expect(comparable(there.findings)).toEqual(comparable(here.findings));
    expect(there.findings.map((f) => f.trackingUid)).toEqual(there.findings.map((f) => keyedResultUids('run-1').trackingUid(f.index)));
    // The caller's volume is whole afterwards: the thread read it, it took nothing away.
    expect(Array.from(sharedVolume(volume).voxels.subarray(0, 1000))).toEqual(Array.from(volume.voxels.subarray(0, 1000)));
  });

  it('masks the lungs and finds their surface as the calling thread does', async () => {
    const thread = await startAnalysisThread({ detector: 'classical' });
    threads.push(thread);
    const here = segmentLungs(volume);
    const there = await thread.lungs(sharedVolume(volume));
    expect(there.found).toBe(true);
    expect({ ...there, mask: undefined }).toEqual({ ...here, mask: undefined });
    expect(Buffer.from(there.mask).equals(Buffer.from(here.mask))).toBe(true);
    // and the surface a comparison with a prior registers
    expect(await thread.lungSurface(sharedVolume(volume))).toEqual(lungSurface(volume, here.mask));
  });

  it('stacks the slices into the volume the calling thread makes, keeps the patient\'s attributes, and says why it cannot', async () => {
    const thread = await startAnalysisThread({ detector: 'classical' });
    threads.push(thread);
    const bytes = ctSliceDatasets(phantom.volume, phantom.identity).map(toPart10);
    const here = buildVolume(bytes.map((b) => parseCtSlice(b)));
    const slices = bytes.map((b) => parseCtSlice(new Uint8Array(b)));
    const gap = bytes.filter((_, n) => n !== 20).map((b) => parseCtSlice(b));
    const there = await thread.buildVolume(slices);
    expect(there.summary).toEqual(here.summary);
    expect(there.volume.voxels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(there.volume.voxels.buffer).equals(Buffer.from(here.volume.voxels.buffer))).toBe(true);
    expect({ ...there.volume, voxels: undefined }).toEqual({ ...here.volume, voxels: undefined });
    expect(String(there.volume.source.patientStudy.PatientName)).toBe(String(here.volume.source.patientStudy.PatientName));
    // The pixels were handed over, not copied: the same slices cannot be sent again.
    expect(slices.every((slice) => slice.stored.byteLength === 0)).toBe(true);
    await expect(thread.buildVolume(slices)).rejects.toThrow(/handed over already/);

    const error = await thread.buildVolume(gap).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'missing-slice' });
  });

  it('encodes the SR, SEG and report PDF the calling thread encodes, under the patient\'s name and the run\'s UIDs', async () => {
    const thread = await startAnalysisThread({ detector: 'classical' });
    threads.push(thread);
    // Parsed from DICOM, so the patient's name is dcmjs's own (which cannot be sent as it is).
    const { volume: scanned } = buildVolume(ctSliceDatasets(phantom.volume, phantom.identity).map((dataset) => parseCtSlice(toPart10(dataset))));
    const analysis = await analyzeVolume(scanned, { detector: await createDetector({ detector: 'classical' }) });
    expect(analysis.findings.length).toBeGreaterThan(0);
    const model = analysis.detector;
    const assessment = assessAnalysis({ analysisId: '00000000-0000-4000-8000-000000000001', analysedAt: new Date('2026-11-28T10:00:00Z'), model, volume: scanned, findings: analysis.findings, lungs: { found: true } });
    const results = {
      volume: scanned, findings: analysis.findings, model,
      assessments: assessment.findingAssessments, examLungRads: assessment.exam, report: assessment.report,
      uids: keyedResultUids('encode-1'),
    };
    const here = encodeResults(results);
    const there = await thread.encode(results);
    expect(there.map((o) => [o.kind, o.sopInstanceUid, o.seriesInstanceUid])).toEqual(here.map((o) => [o.kind, o.sopInstanceUid, o.seriesInstanceUid]));
    expect(there.map((o) => o.kind)).toEqual(['seg', 'sr', 'pdf']);
    const read = (part10: Uint8Array) => dcmjs.data.DicomMetaDictionary.naturalizeDataset(
      dcmjs.data.DicomMessage.readFile(part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.byteLength) as ArrayBuffer).dict);
    // Creation times aside (each encoding takes its own), the same datasets, to the SEG's pixels.
    const timeless = (dataset: Record<string, unknown>) => JSON.parse(JSON.stringify(dataset, (key, value) => (/(Date|Time|DateTime)$/.test(key) ? undefined : value)));
    for (let n = 0; n < here.length; n++) expect(timeless(read(there[n].part10))).toEqual(timeless(read(here[n].part10)));
    expect(JSON.stringify(read(there[1].part10).PatientName)).toBe(JSON.stringify([{ Alphabetic: String(scanned.source.patientStudy.PatientName) }]));
  });

  it('passes a failure back with its reason, and starts again after being closed', async () => {
    const thread = await startAnalysisThread({ detector: 'classical' });
    threads.push(thread);
    const broken = { ...volume, voxels: null as unknown as Int16Array };
    await expect(thread.analyze(broken, {})).rejects.toThrow(/^analysis thread: Cannot read properties of null/);
    await thread.close();
    const again = await thread.analyze(volume, {});
    expect(again.lungs.found).toBe(true);
    expect(again.detector).toEqual(thread.model);
    expect(thread.model.name).toBe('lungbridge-classical-blob');
  });

  it('fails the analyses it held when the thread stops under them (killed, out of memory)', async () => {
    const thread = await startAnalysisThread({ detector: 'classical' });
    threads.push(thread);
    const held = thread.analyze(volume, {});
    await thread.close();
    await expect(held).rejects.toThrow(/^analysis thread exited with code/);
  });

  it('keeps a PipelineError\'s code and retry advice across the threads', () => {
    const back = receivedError(sendableError(new PipelineError('pacs-unavailable', 'PACS went away', true)));
    expect(back).toBeInstanceOf(PipelineError);
    expect(back).toMatchObject({ code: 'pacs-unavailable', transient: true, message: 'PACS went away' });
    const plain = receivedError(sendableError(new RangeError('out of range')));
    expect(plain).not.toBeInstanceOf(PipelineError);
    expect(plain.message).toBe('analysis thread: out of range');
  });

  it('fails to start, saying why, when the model file does not load', async () => {
    await expect(startAnalysisThread({ detector: 'model', modelPath: '/nonexistent/model.onnx' })).rejects.toThrow(/nonexistent/);
  });
});
