import dcmjs from 'dcmjs';
import { describe, expect, it, vi } from 'vitest';
import { pipelineErrorCode } from '../errors/testing.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { ctSliceDatasets } from './ct-writer.ts';
import { locatePixelData, parseCtSlice } from './ct-slice.ts';
import { toPart10 } from './part10.ts';

const phantom = generatePhantom({ seed: 11, matrix: 64, pixelSpacingMm: 5, slices: 3, sliceSpacingMm: 5, nodules: [] });
const datasets = ctSliceDatasets(phantom.volume, phantom.identity);


describe('parseCtSlice', () => {
  it('reads geometry and views the stored pixels in place (HU = stored + intercept)', () => {
    const slice = parseCtSlice(toPart10(datasets[1]));
    expect(slice.rows).toBe(64);
    expect(slice.columns).toBe(64);
    expect(slice.rescaleIntercept).toBe(-1024);
    expect(slice.imagePositionPatient[2]).toBeCloseTo(phantom.volume.origin.z + 5, 3);
    const k = 64 * 64;
    for (const n of [0, 100, 2080, 4095]) expect(slice.stored[n] + slice.rescaleIntercept).toBe(phantom.volume.voxels[k + n]);
    expect(slice.patientStudy.PatientID).toBe(phantom.identity.patientId);
    expect(slice.instanceNumber).toBe(2);
    expect(parseCtSlice(toPart10({ ...datasets[1], InstanceNumber: '' })).instanceNumber).toBeUndefined();
  });

  it.each([
    ['not-ct', () => parseCtSlice(toPart10({ ...datasets[0], Modality: 'MR' }))],
    ['malformed-dicom', () => parseCtSlice(new Uint8Array(300).fill(7))],
    ['malformed-dicom', () => parseCtSlice(toPart10(datasets[0]).subarray(0, 2000))],
  ] as const)('refuses with %s', (code, run) => {
    expect(pipelineErrorCode(run)).toBe(code);
  });
});

describe('locatePixelData', () => {
  it('finds the element and ignores the same bytes inside pixel values', () => {
    const bytes = new Uint8Array(toPart10(datasets[0]));
    const found = locatePixelData(bytes, 64 * 64 * 2);
    expect(found).toEqual({ offset: bytes.length - 64 * 64 * 2, length: 64 * 64 * 2 });
    // The Pixel Data tag planted inside the pixel values changes nothing.
    bytes.set([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 8, 0, 0, 0], bytes.length - 200);
    expect(locatePixelData(bytes, 64 * 64 * 2)).toEqual(found);
    expect(locatePixelData(bytes.subarray(0, bytes.length - 10), 64 * 64 * 2)).toBeUndefined();
  });

  it('passes over the same bytes in an earlier value (an icon\'s pixels) whose length does not run to the end', () => {
    const pixels = 32;
    const element = (length: number) => [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, length, 0, 0, 0];
    // Long enough to be the pixels, but 100 bytes of other attributes follow it.
    const icon = [...element(pixels), ...new Array(pixels).fill(1), ...new Array(100).fill(2)];
    const bytes = new Uint8Array([...new Array(200).fill(0), ...icon, ...element(pixels), ...new Array(pixels).fill(9)]);
    expect(locatePixelData(bytes, pixels)).toEqual({ offset: bytes.length - pixels, length: pixels });
    // Implicit VR: the tag, then the length.
    const implicit = new Uint8Array([...new Array(140).fill(0), 0xe0, 0x7f, 0x10, 0x00, pixels, 0, 0, 0, ...new Array(pixels).fill(9)]);
    expect(locatePixelData(implicit, pixels)).toEqual({ offset: implicit.length - pixels, length: pixels });
  });
});

describe('toPart10', () => {
  it('writes 16-bit pixels as OW without dcmjs logging that PixelData has no VR', () => {
    const errors = vi.spyOn(dcmjs.log, 'error');
    const bytes = toPart10(datasets[0]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    const read = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(read.dict['7FE00010'].vr).toBe('OW');
  });
});
