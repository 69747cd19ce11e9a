/** A point or direction in patient coordinates (LPS, millimetres) or voxel indices. */
export interface Vec3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * One CT series as a 3D grid of Hounsfield units.
 *
 * Voxel (i, j, k) lives at `voxels[i + j * columns + k * columns * rows]`: i is the column, j the row,
 * k the slice, with slices sorted along the slice normal (ascending position along `direction[2]`).
 * Int16 keeps a 320-slice 512x512 series at 168 MB instead of 336 MB in Float32.
 */
export interface Volume {
  readonly voxels: Int16Array;
  /** [columns, rows, slices] */
  readonly dims: readonly [number, number, number];
  /** [column spacing, row spacing, slice spacing] in mm; slice spacing comes from positions, not SliceThickness. */
  readonly spacing: readonly [number, number, number];
  /** Patient position (mm) of the centre of voxel (0, 0, 0). */
  readonly origin: Vec3;
  /** Unit vectors: along a row (increasing column), along a column (increasing row), slice normal. */
  readonly direction: readonly [Vec3, Vec3, Vec3];
  readonly source: VolumeSource;
}

/** What ties a Volume back to the DICOM it came from, so results can reference it. */
export interface VolumeSource {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  /** SOPInstanceUID of slice k, in volume order. */
  readonly sopInstanceUids: readonly string[];
  /**
   * ImagePositionPatient of slice k as the source gives it (mm). The volume's grid takes the median
   * slice step, and a series may step unevenly within limits (pipeline/volume.ts); absent where the
   * volume was made on its grid (phantoms), whose positions are the grid's.
   */
  readonly slicePositions?: readonly Vec3[];
  /**
   * InstanceNumber of slice k, the image number a reader goes to in a viewer (volume order runs
   * along the slice normal, often the reverse of the numbers); absent unless every slice has one.
   */
  readonly instanceNumbers?: readonly number[];
  readonly sopClassUid: string;
  /** Nominal SliceThickness (0018,0050), informational only. */
  readonly sliceThicknessMm?: number;
  /** The source instances' patient and study attributes (naturalized dcmjs names), copied into results. */
  readonly patientStudy: Readonly<Record<string, unknown>>;
}

/** Distance between two patient points (mm). */
export function pointDistanceMm(a: Vec3, b: Vec3): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/** Distance in mm between two (possibly fractional) voxel indices of a grid with this spacing. */
export function voxelDistanceMm(a: Vec3, b: Vec3, spacing: readonly [number, number, number]): number {
  return Math.hypot((a.x - b.x) * spacing[0], (a.y - b.y) * spacing[1], (a.z - b.z) * spacing[2]);
}

/** Patient coordinates (mm) of a (possibly fractional) voxel index. */
export function voxelToPatient(volume: Volume, voxel: Vec3): Vec3 {
  const [sx, sy, sz] = volume.spacing;
  const [u, v, w] = volume.direction;
  const a = voxel.x * sx;
  const b = voxel.y * sy;
  const c = voxel.z * sz;
  return {
    x: volume.origin.x + a * u.x + b * v.x + c * w.x,
    y: volume.origin.y + a * u.y + b * v.y + c * w.y,
    z: volume.origin.z + a * u.z + b * v.z + c * w.z,
  };
}

/** Fractional voxel index of a patient point (inverse of voxelToPatient for orthonormal directions). */
export function patientToVoxel(volume: Volume, point: Vec3): Vec3 {
  const d = { x: point.x - volume.origin.x, y: point.y - volume.origin.y, z: point.z - volume.origin.z };
  const [u, v, w] = volume.direction;
  const dot = (a: Vec3, b: Vec3) => a.x * b.x + a.y * b.y + a.z * b.z;
  return {
    x: dot(d, u) / volume.spacing[0],
    y: dot(d, v) / volume.spacing[1],
    z: dot(d, w) / volume.spacing[2],
  };
}
