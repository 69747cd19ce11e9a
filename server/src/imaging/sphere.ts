/** Diameter (mm) of the sphere of a volume (mm³): the equal-volume size of a mask or a rendered nodule. */
export function equivalentDiameterMm(volumeMm3: number): number {
  return Math.cbrt((6 * volumeMm3) / Math.PI);
}
