import { describe, expect, it } from 'vitest';
import { paintFindings, syntheticVolume } from '../dicom/testing/synthetic-study.ts';
import { keyImageFieldMm, lungWindow, renderKeyImage } from './key-image.ts';

const volume = syntheticVolume();
const [finding] = paintFindings(volume);
const image = renderKeyImage(volume, finding, { sizePx: 120 });
const pixel = (u: number, v: number) => [...image.rgb.subarray((u + v * image.width) * 3, (u + v * image.width) * 3 + 3)];
const grey = (hu: number) => Math.round(((hu - (lungWindow.centreHu - lungWindow.widthHu / 2)) / lungWindow.widthHu) * 255);

describe('renderKeyImage', () => {
  it('centres the nodule in a lung window, with its mask outlined in red and nothing else red', () => {
    expect(image.rgb.length).toBe(120 * 120 * 3);
    const centre = pixel(60, 60);
    expect(centre).toEqual([grey(40), grey(40), grey(40)]);
    expect(pixel(2, 2)).toEqual([grey(-850), grey(-850), grey(-850)]);
    // Along the centre row, from the centre outwards: grey nodule, then the red outline, then lung.
    const row = Array.from({ length: 60 }, (_, d) => pixel(60 + d, 60));
    const firstRed = row.findIndex(([r, g]) => r === 255 && g === 48);
    expect(firstRed).toBeGreaterThan(0);
    const radiusPx = (finding.longAxis.lengthMm / 2) / (keyImageFieldMm(finding) / 120);
    expect(Math.abs(firstRed - radiusPx)).toBeLessThanOrEqual(2);
    expect(row.slice(firstRed + 3).every(([r, g, b]) => r === g && g === b)).toBe(true);
  });

  it('widens the field of view for large nodules', () => {
    expect(keyImageFieldMm({ ...finding, longAxis: { ...finding.longAxis, lengthMm: 10 } })).toBe(60);
    expect(keyImageFieldMm({ ...finding, longAxis: { ...finding.longAxis, lengthMm: 25 } })).toBe(100);
  });
});
