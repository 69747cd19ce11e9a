import { describe, expect, it } from 'vitest';
import type { InstanceGeometry, SeriesInfo } from '../dicomweb/client.ts';
import { chooseSeries } from './select-series.ts';

const axial = [1, 0, 0, 0, 1, 0];
const coronal = [1, 0, 0, 0, 0, -1];

function series(uid: string, count: number, options: { modality?: string; thickness?: number; spacing?: number; iop?: number[]; gapAt?: number; localizers?: number } = {}) {
  const instances: InstanceGeometry[] = [];
  let z = 0;
  for (let k = 0; k < count; k++) {
    z += k === options.gapAt ? 3 * (options.spacing ?? 1) : (options.spacing ?? 1);
    instances.push({ sopInstanceUid: `${uid}.${k}`, imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], sliceThickness: options.thickness ?? 1, imagePositionPatient: [0, 0, z], imageOrientationPatient: options.iop ?? axial });
  }
  for (let k = 0; k < (options.localizers ?? 0); k++) {
    instances.push({ sopInstanceUid: `${uid}.loc${k}`, imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'], imagePositionPatient: [0, 0, 0], imageOrientationPatient: coronal });
  }
  const info: SeriesInfo = { seriesInstanceUid: uid, modality: options.modality ?? 'CT', instanceCount: instances.length };
  return { info, instances };
}

describe('chooseSeries', () => {
  it('prefers uniform spacing, then more slices, then thinner slices', () => {
    const { chosen } = chooseSeries([
      series('thick', 60, { thickness: 5, spacing: 5 }),
      series('thin', 300, { thickness: 1, spacing: 1 }),
      series('gappy', 400, { gapAt: 100 }),
    ]);
    expect(chosen?.candidate.info.seriesInstanceUid).toBe('thin');
  });

  it('breaks ties in slice count by the thinnest reconstruction', () => {
    const { chosen } = chooseSeries([series('a', 100, { thickness: 2 }), series('b', 100, { thickness: 1.25 })]);
    expect(chosen?.candidate.info.seriesInstanceUid).toBe('b');
  });

  it('ignores localizers, non-CT and non-axial series, saying why', () => {
    const { chosen, assessed } = chooseSeries([
      series('scout', 1, { localizers: 2 }),
      series('mr', 100, { modality: 'MR' }),
      series('cor', 200, { iop: coronal }),
      series('ct', 50, { localizers: 1 }),
    ]);
    expect(chosen?.candidate.info.seriesInstanceUid).toBe('ct');
    expect(chosen?.sliceCount).toBe(50);
    expect(assessed.map((a) => a.rejection)).toEqual(['1 non-localizer image(s)', 'modality MR is not CT', 'not axial', undefined]);
  });

  it('returns nothing when no series is usable', () => {
    expect(chooseSeries([series('mr', 10, { modality: 'MR' })]).chosen).toBeUndefined();
  });
});
