import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '../domain/volume.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { phantomIdentity } from '../phantom/identity.ts';
import { loadVolumeFromFolder } from '../pipeline/load-folder.ts';
import { ctImageStorageSopClassUid, ctSliceDatasets, writeCtSeries } from './ct-writer.ts';

/** A 6 x 4 x 3 volume, tilted off the axes (so positions are not trivial), with values that need clamping. */
function testVolume(): Volume {
  const dims = [6, 4, 3] as const;
  const voxels = new Int16Array(6 * 4 * 3);
  for (let i = 0; i < voxels.length; i++) voxels[i] = -1000 + 37 * i;
  voxels[0] = -2000; // below the stored range: clamps to stored 0, i.e. -1024 HU
  voxels[1] = 3000;
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  return {
    voxels,
    dims,
    spacing: [0.75, 0.75, 2.5],
    origin: { x: -10, y: 20, z: -100 },
    direction: [{ x: c, y: s, z: 0 }, { x: -s, y: c, z: 0 }, { x: 0, y: 0, z: 1 }],
    source: {
      studyInstanceUid: '2.25.1', seriesInstanceUid: '2.25.2', frameOfReferenceUid: '2.25.3',
      sopInstanceUids: ['2.25.11', '2.25.12', '2.25.13'], sopClassUid: ctImageStorageSopClassUid, patientStudy: {},
    },
  };
}

const identity = phantomIdentity(42);
const outDir = mkdtempSync(path.join(tmpdir(), 'lungbridge-ct-writer-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('ctSliceDatasets', () => {
  it('gives each slice its position along the normal, the orientation and the identity', () => {
    const datasets = ctSliceDatasets(testVolume(), identity);
    expect(datasets).toHaveLength(3);
    expect(datasets.map((d) => d.ImagePositionPatient)).toEqual([[-10, 20, -100], [-10, 20, -97.5], [-10, 20, -95]]);
    expect(datasets[0].ImageOrientationPatient[0]).toBeCloseTo(Math.cos(0.3), 4);
    expect(datasets[0].ImageOrientationPatient[3]).toBeCloseTo(-Math.sin(0.3), 4);
    expect(datasets[2]).toMatchObject({
      SOPInstanceUID: '2.25.13', InstanceNumber: 3, Modality: 'CT', SOPClassUID: ctImageStorageSopClassUid,
      PatientID: 'LB-PHANTOM-42', PatientName: 'Phantom^Lungbridge', PatientAge: identity.patientAge,
      BodyPartExamined: 'CHEST', RescaleIntercept: -1024, RescaleSlope: 1, PixelRepresentation: 0,
      SliceThickness: 2.5, SpacingBetweenSlices: 2.5, PixelSpacing: [0.75, 0.75], Rows: 4, Columns: 6,
    });
  });

  it('stores HU + 1024 as unsigned 16 bits, clamped', () => {
    const volume = testVolume();
    const stored = new Uint16Array(ctSliceDatasets(volume, identity)[0].PixelData);
    expect(stored[0]).toBe(0);
    expect(stored[1]).toBe(3000 + 1024);
    expect(stored[5]).toBe(volume.voxels[5] + 1024);
  });

  it.each([
    [{ patientId: 'x'.repeat(65) }, /patientId .* LO, at most 64 characters/],
    [{ studyDate: '2024-01-15' }, /studyDate .* DA is YYYYMMDD/],
    [{ patientAge: '63' }, /patientAge .* AS is/],
  ])('refuses identity %o', (override, message) => {
    expect(() => ctSliceDatasets(testVolume(), { ...identity, ...override })).toThrow(message);
  });

  it('refuses a malformed UID, naming it', () => {
    const volume = testVolume();
    expect(() => ctSliceDatasets({ ...volume, source: { ...volume.source, seriesInstanceUid: '2.25.01' } }, identity))
      .toThrow(/seriesInstanceUid "2.25.01" breaks the rule: UID/);
  });
});

describe('writeCtSeries', async () => {
  const volume = testVolume();
  const files = await writeCtSeries(volume, outDir, { identity });

  it('writes one Part 10 file per slice that reads back with the same pixels and positions', () => {
    expect(files.map((f) => path.basename(f))).toEqual(['CT000001.dcm', 'CT000002.dcm', 'CT000003.dcm']);
    files.forEach((file, k) => {
      const bytes = readFileSync(file);
      const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      expect(dict.meta['00020010'].Value).toEqual(['1.2.840.10008.1.2.1']);
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
      expect(ds.ImagePositionPatient.map(Number)).toEqual([-10, 20, -100 + 2.5 * k]);
      expect(ds.SOPInstanceUID).toBe(volume.source.sopInstanceUids[k]);
      const stored = new Uint16Array(ds.PixelData[0]);
      const size = 6 * 4;
      const hu = Array.from(stored, (v) => v * Number(ds.RescaleSlope) + Number(ds.RescaleIntercept));
      const expected = Array.from(volume.voxels.subarray(k * size, (k + 1) * size), (v) => Math.min(Math.max(v, -1024), 64511));
      expect(hu).toEqual(expected);
    });
  });

  const hasDciodvfy = spawnSync('which', ['dciodvfy']).status === 0;
  it.skipIf(!hasDciodvfy)('passes dciodvfy -new without errors and dcmdump parses it (skipped without dicom3tools)', () => {
    const result = spawnSync('dciodvfy', ['-new', files[1]], { encoding: 'utf8' });
    const report = `${result.stdout}${result.stderr}`;
    expect(report).toContain('CTImage');
    expect(report.split('\n').filter((line) => /^Error/.test(line))).toEqual([]);
    expect(execFileSync('dcmdump', [files[1]], { encoding: 'utf8' })).toContain('(0028,1052) DS [-1024]');
  });
});

describe('a phantom through writeCtSeries and the pipeline\'s folder loader', () => {
  it('comes back as the same Volume', async () => {
    const phantom = generatePhantom({ seed: 8, matrix: 40, slices: 12, sliceSpacingMm: 2.5 });
    const dir = path.join(outDir, 'phantom');
    await writeCtSeries(phantom.volume, dir, { identity: phantom.identity });
    const { volume } = await loadVolumeFromFolder(dir);
    expect(volume.dims).toEqual(phantom.volume.dims);
    expect(volume.voxels).toEqual(phantom.volume.voxels);
    expect(volume.spacing[2]).toBeCloseTo(2.5, 4);
    expect(volume.origin.z).toBeCloseTo(phantom.volume.origin.z, 3);
    expect(volume.source.sopInstanceUids).toEqual(phantom.volume.source.sopInstanceUids);
    expect(volume.source.patientStudy).toMatchObject({ PatientID: 'LB-PHANTOM-8', PatientSex: phantom.identity.patientSex });
  });
});
