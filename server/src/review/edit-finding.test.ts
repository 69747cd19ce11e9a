import { describe, expect, it, test } from 'vitest';
import { applyFindingEdit, EditRejected, stretchLine, type FindingMeasurements } from './edit-finding.ts';

const spacing = [0.7, 0.7, 1.25] as const;
const machine: FindingMeasurements = {
  index: 1, trackingUid: '2.25.1', probability: 0.9,
  centroidVoxel: { x: 100, y: 100, z: 40 }, centroidMm: { x: 70, y: 70, z: 50 },
  longAxis: { start: { x: 90, y: 100, z: 40 }, end: { x: 110, y: 100, z: 40 }, lengthMm: 14 },
  shortAxis: { start: { x: 100, y: 92, z: 40 }, end: { x: 100, y: 108, z: 40 }, lengthMm: 11.2 },
  meanDiameterMm: 12.6, volumeMm3: 900, meanHu: 20, maxHu: 80, type: 'solid',
  laterality: 'right', zone: 'middle', juxtapleural: false,
};

describe('stretchLine', () => {
  it('keeps the midpoint and direction and takes the new length', () => {
    const line = stretchLine(machine.longAxis, 7, spacing);
    expect(line.start).toEqual({ x: 95, y: 100, z: 40 });
    expect(line.end).toEqual({ x: 105, y: 100, z: 40 });
    expect(line.lengthMm).toBe(7);
  });
});

describe('applyFindingEdit', () => {
  it('stretches the axes to the reader\'s lengths and recomputes the Lung-RADS mean diameter', () => {
    const edited = applyFindingEdit(machine, { longAxisMm: 10, shortAxisMm: 8.3 }, spacing);
    expect(edited.longAxis.lengthMm).toBe(10);
    expect(edited.shortAxis.lengthMm).toBe(8.3);
    expect(edited.meanDiameterMm).toBe(9.2);
    expect(Math.hypot((edited.shortAxis.end.y - edited.shortAxis.start.y) * 0.7)).toBeCloseTo(8.3, 9);
    expect(edited.volumeMm3).toBe(machine.volumeMm3);
  });

  it('changes the type, and a part-solid nodule takes a solid component', () => {
    expect(applyFindingEdit(machine, { type: 'part-solid', solidComponentMm: 5 }, spacing)).toMatchObject({ type: 'part-solid', solidComponentMm: 5, meanDiameterMm: 12.6 });
    const ggn = applyFindingEdit({ ...machine, type: 'part-solid', solidComponentMm: 4 }, { type: 'ground-glass' }, spacing);
    expect(ggn.type).toBe('ground-glass');
    expect(ggn.solidComponentMm).toBeUndefined();
  });

  test.each([
    [{ shortAxisMm: 15 }, /shortAxisMm 15 breaks the rule: at most the long axis/],
    [{ solidComponentMm: 3 }, /only a part-solid nodule has a solid component/],
    [{ type: 'part-solid' as const, solidComponentMm: 13 }, /at most the nodule's mean diameter/],
  ])('refuses %j', (edit, message) => {
    expect(() => applyFindingEdit(machine, edit, spacing)).toThrow(EditRejected);
    expect(() => applyFindingEdit(machine, edit, spacing)).toThrow(message);
  });
});
