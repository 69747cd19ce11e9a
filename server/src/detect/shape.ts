import type { BoxMask } from '../domain/mask.ts';
import { equivalentDiameterMm } from '../imaging/sphere.ts';
import { symmetricEigenvalues } from '../imaging/symmetric-eigen.ts';

export interface MaskShape {
  readonly voxels: number;
  readonly volumeMm3: number;
  /** Diameter of the sphere of the same volume. */
  readonly equivalentDiameterMm: number;
  /** √(smallest / largest principal variance): 1 for a ball, near 0 for a vessel segment. */
  readonly roundness: number;
}

/** Size and elongation (principal axes of the voxel cloud, in mm) of a nodule mask. */
export function maskShape(mask: BoxMask, spacing: readonly [number, number, number]): MaskShape {
  const [bx, by, bz] = mask.size;
  let n = 0;
  let sx = 0, sy = 0, sz = 0, sxx = 0, syy = 0, szz = 0, sxy = 0, sxz = 0, syz = 0;
  for (let k = 0, p = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++, p++) {
        if (!mask.data[p]) continue;
        const x = i * spacing[0];
        const y = j * spacing[1];
        const z = k * spacing[2];
        n++;
        sx += x; sy += y; sz += z;
        sxx += x * x; syy += y * y; szz += z * z; sxy += x * y; sxz += x * z; syz += y * z;
      }
    }
  }
  const volumeMm3 = n * spacing[0] * spacing[1] * spacing[2];
  if (n < 2) return { voxels: n, volumeMm3, equivalentDiameterMm: equivalentDiameterMm(volumeMm3), roundness: 0 };
  const mx = sx / n, my = sy / n, mz = sz / n;
  // A voxel spreads over its own extent: add its variance (s²/12) so a one-slice-thick disc of thick
  // slices is not called flat when the slices, not the object, are thin.
  const cov = [
    sxx / n - mx * mx + spacing[0] ** 2 / 12, syy / n - my * my + spacing[1] ** 2 / 12, szz / n - mz * mz + spacing[2] ** 2 / 12,
    sxy / n - mx * my, sxz / n - mx * mz, syz / n - my * mz,
  ];
  // Covariance is positive semi-definite, so ordering by magnitude is ordering by value.
  const values = symmetricEigenvalues(cov[0], cov[1], cov[2], cov[3], cov[4], cov[5]);
  return { voxels: n, volumeMm3, equivalentDiameterMm: equivalentDiameterMm(volumeMm3), roundness: Math.sqrt(Math.max(0, values[0]) / values[2]) };
}
