import type { Vec3 } from '../domain/volume.ts';

/** The voxel grid of a phantom scan: axial, identity orientation, patient LPS millimetres. */
export interface ScanGrid {
  readonly columns: number;
  readonly rows: number;
  readonly slices: number;
  readonly pixelSpacingMm: number;
  readonly sliceSpacingMm: number;
  /** Patient position of the centre of voxel (0, 0, 0). */
  readonly origin: Vec3;
}

/**
 * Where the patient lies in the scanner. The anatomy is modelled in its own frame (x to the
 * patient's left, y posterior, z cranial, 0 near the carina); a point a of it is at
 * R_z(rollDeg) a + shiftMm in the scan. Only roll about the long axis: a patient lies a little
 * turned on the table, not tilted head down.
 */
export interface PatientPose {
  readonly shiftMm: Vec3;
  readonly rollDeg: number;
}

export const neutralPose: PatientPose = { shiftMm: { x: 0, y: 0, z: 0 }, rollDeg: 0 };

/** A grid whose columns and rows are centred on the scanner axis and whose slices are centred on `centreZ`. */
export function centredGrid(matrix: number, pixelSpacingMm: number, slices: number, sliceSpacingMm: number, centreZ: number): ScanGrid {
  const half = ((matrix - 1) * pixelSpacingMm) / 2;
  return {
    columns: matrix,
    rows: matrix,
    slices,
    pixelSpacingMm,
    sliceSpacingMm,
    origin: { x: -half, y: -half, z: centreZ - ((slices - 1) * sliceSpacingMm) / 2 },
  };
}

export function anatomyToPatient(pose: PatientPose, a: Vec3): Vec3 {
  const t = (pose.rollDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return { x: c * a.x - s * a.y + pose.shiftMm.x, y: s * a.x + c * a.y + pose.shiftMm.y, z: a.z + pose.shiftMm.z };
}

export function patientToVoxelPoint(grid: ScanGrid, p: Vec3): Vec3 {
  return {
    x: (p.x - grid.origin.x) / grid.pixelSpacingMm,
    y: (p.y - grid.origin.y) / grid.pixelSpacingMm,
    z: (p.z - grid.origin.z) / grid.sliceSpacingMm,
  };
}

/** Inclusive voxel index ranges [i0, i1] x [j0, j1] of one slice; empty when i0 > i1 or j0 > j1. */
export interface PixelBox {
  readonly i0: number;
  readonly i1: number;
  readonly j0: number;
  readonly j1: number;
}

/**
 * One slice seen from the anatomy: voxel (i, j) of it is anatomy point
 * (x0 + xi i + xj j, y0 + yi i + yj j, z).
 */
export class SliceFrame {
  readonly z: number;
  readonly x0: number;
  readonly xi: number;
  readonly xj: number;
  readonly y0: number;
  readonly yi: number;
  readonly yj: number;

  constructor(readonly grid: ScanGrid, readonly pose: PatientPose, patientZ: number) {
    const t = (pose.rollDeg * Math.PI) / 180;
    const c = Math.cos(t);
    const s = Math.sin(t);
    const px = grid.pixelSpacingMm;
    const ox = grid.origin.x - pose.shiftMm.x;
    const oy = grid.origin.y - pose.shiftMm.y;
    this.z = patientZ - pose.shiftMm.z;
    this.x0 = c * ox + s * oy;
    this.xi = c * px;
    this.xj = s * px;
    this.y0 = -s * ox + c * oy;
    this.yi = -s * px;
    this.yj = c * px;
  }

  /** The voxels of this slice that cover the anatomy rectangle [minX, maxX] x [minY, maxY], clamped to the grid. */
  pixelBox(minX: number, maxX: number, minY: number, maxY: number): PixelBox {
    let i0 = Infinity; let i1 = -Infinity; let j0 = Infinity; let j1 = -Infinity;
    for (const x of [minX, maxX]) {
      for (const y of [minY, maxY]) {
        const p = anatomyToPatient(this.pose, { x, y, z: 0 });
        const i = (p.x - this.grid.origin.x) / this.grid.pixelSpacingMm;
        const j = (p.y - this.grid.origin.y) / this.grid.pixelSpacingMm;
        i0 = Math.min(i0, i); i1 = Math.max(i1, i); j0 = Math.min(j0, j); j1 = Math.max(j1, j);
      }
    }
    return {
      i0: Math.max(0, Math.floor(i0)),
      i1: Math.min(this.grid.columns - 1, Math.ceil(i1)),
      j0: Math.max(0, Math.floor(j0)),
      j1: Math.min(this.grid.rows - 1, Math.ceil(j1)),
    };
  }
}
