/**
 * A reader's edit of a finding's measurements: type, long and short axis. Pure. The axis lines
 * keep their centre and direction and are stretched to the reader's lengths, so that the SR still
 * draws them where the nodule is; the mean diameter follows Lung-RADS v2022 ((long + short) / 2,
 * to 0.1 mm). The mask and the volume stay the machine's: a reader measures diameters, not voxels.
 */
import { lungRadsMeanDiameterMm } from '../clinical/lungrads.ts';
import type { AxisLine, Finding, NoduleType } from '../domain/finding.ts';

export interface FindingEdit {
  readonly type?: NoduleType;
  readonly longAxisMm?: number;
  readonly shortAxisMm?: number;
  readonly solidComponentMm?: number;
}

/** The measurements a finding is stored with (everything but its mask). */
export type FindingMeasurements = Omit<Finding, 'mask'>;

export class EditRejected extends Error {
  override readonly name = 'EditRejected';
}

/** `line` with the same midpoint and direction and the given length (mm); `spacing` turns voxels into mm. */
export function stretchLine(line: AxisLine, lengthMm: number, spacing: readonly [number, number, number]): AxisLine {
  const mid = { x: (line.start.x + line.end.x) / 2, y: (line.start.y + line.end.y) / 2, z: (line.start.z + line.end.z) / 2 };
  const d = { x: (line.end.x - line.start.x) * spacing[0], y: (line.end.y - line.start.y) * spacing[1], z: (line.end.z - line.start.z) * spacing[2] };
  const length = Math.hypot(d.x, d.y, d.z);
  // A degenerate line (a one-voxel nodule) has no direction: lay the new one along the rows.
  const unit = length > 0 ? { x: d.x / length, y: d.y / length, z: d.z / length } : { x: 1, y: 0, z: 0 };
  const half = { x: (unit.x * lengthMm) / 2 / spacing[0], y: (unit.y * lengthMm) / 2 / spacing[1], z: (unit.z * lengthMm) / 2 / spacing[2] };
  return {
    start: { x: mid.x - half.x, y: mid.y - half.y, z: mid.z - half.z },
    end: { x: mid.x + half.x, y: mid.y + half.y, z: mid.z + half.z },
    lengthMm,
  };
}

/** The finding's measurements after the edit; throws EditRejected when the result breaks a rule. */
export function applyFindingEdit(measurements: FindingMeasurements, edit: FindingEdit, spacing: readonly [number, number, number]): FindingMeasurements {
  const longMm = edit.longAxisMm ?? measurements.longAxis.lengthMm;
  const shortMm = edit.shortAxisMm ?? measurements.shortAxis.lengthMm;
  if (shortMm > longMm) throw new EditRejected(`shortAxisMm ${shortMm} breaks the rule: at most the long axis (${longMm} mm)`);
  const type = edit.type ?? measurements.type;
  const solidComponentMm = type === 'part-solid' ? edit.solidComponentMm ?? measurements.solidComponentMm : undefined;
  if (edit.solidComponentMm !== undefined && type !== 'part-solid') throw new EditRejected('solidComponentMm breaks the rule: only a part-solid nodule has a solid component');
  if (solidComponentMm !== undefined && solidComponentMm > lungRadsMeanDiameterMm(longMm, shortMm)) {
    throw new EditRejected(`solidComponentMm ${solidComponentMm} breaks the rule: at most the nodule's mean diameter`);
  }
  const { solidComponentMm: _dropped, ...rest } = measurements;
  return {
    ...rest,
    type,
    ...(solidComponentMm === undefined ? {} : { solidComponentMm }),
    longAxis: edit.longAxisMm === undefined ? measurements.longAxis : stretchLine(measurements.longAxis, longMm, spacing),
    shortAxis: edit.shortAxisMm === undefined ? measurements.shortAxis : stretchLine(measurements.shortAxis, shortMm, spacing),
    meanDiameterMm: lungRadsMeanDiameterMm(longMm, shortMm),
  };
}
