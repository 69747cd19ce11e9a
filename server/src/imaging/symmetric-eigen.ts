/**
 * Eigenvalues of the symmetric 3x3 matrix [[a, d, e], [d, b, f], [e, f, c]], sorted by increasing
 * absolute value (the order Frangi et al. 1998 use to tell blobs, tubes and plates apart).
 * Closed form (trigonometric solution of the characteristic cubic, Smith 1961).
 */
export function symmetricEigenvalues(a: number, b: number, c: number, d: number, e: number, f: number): [number, number, number] {
  const p1 = d * d + e * e + f * f;
  let values: [number, number, number];
  if (p1 === 0) {
    values = [a, b, c];
  } else {
    const q = (a + b + c) / 3;
    const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
    const p = Math.sqrt(p2 / 6);
    const ba = (a - q) / p;
    const bb = (b - q) / p;
    const bc = (c - q) / p;
    const bd = d / p;
    const be = e / p;
    const bf = f / p;
    const det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
    const r = Math.max(-1, Math.min(1, det / 2));
    const phi = Math.acos(r) / 3;
    const l1 = q + 2 * p * Math.cos(phi);
    const l3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
    values = [l1, 3 * q - l1 - l3, l3];
  }
  return values.sort((x, y) => Math.abs(x) - Math.abs(y));
}
