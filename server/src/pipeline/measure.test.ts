import { describe, expect, it } from 'vitest';
import type { BoxMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import { lungLabel, type LungMask } from './lungs.ts';
import { attenuationEquivalentDiameterMm, axialAxes, estimateSpiculation, measureNodule } from './measure.ts';

/** A filled ellipse on one slice, semi-axes a and b in pixels, rotated by 0 or 90 degrees. */
function ellipse(a: number, b: number, slices = 1): BoxMask {
  const size: [number, number, number] = [2 * a + 3, 2 * b + 3, slices];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < slices; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++) {
        const x = i - (a + 1);
        const y = j - (b + 1);
        if ((x / a) ** 2 + (y / b) ** 2 <= 1) data[i + j * size[0] + k * size[0] * size[1]] = 1;
      }
    }
  }
  return { offset: [10, 20, 5], size, data };
}

describe('axialAxes', () => {
  // The outline runs half a pixel beyond the centres of the extreme pixels (2a + 1 pixels across).
  it.each([
    { a: 10, b: 6, spacing: 0.5, long: 10.5, short: 6.5 },
    { a: 14, b: 14, spacing: 0.7, long: 20.3, short: 20.3 },
    { a: 20, b: 7, spacing: 0.8, long: 32.8, short: 12 },
  ])('measures an ellipse of semi-axes $a x $b px at $spacing mm', ({ a, b, spacing, long, short }) => {
    const { longAxis, shortAxis } = axialAxes(ellipse(a, b), [spacing, spacing, 2]);
    expect(Math.abs(longAxis.lengthMm - long)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(shortAxis.lengthMm - short)).toBeLessThanOrEqual(0.1);
    expect(longAxis.start.z).toBe(5);
    const dx = longAxis.end.x - longAxis.start.x;
    const dy = longAxis.end.y - longAxis.start.y;
    const sx = shortAxis.end.x - shortAxis.start.x;
    const sy = shortAxis.end.y - shortAxis.start.y;
    expect(Math.abs(dx * sx + dy * sy) / (Math.hypot(dx, dy) * Math.hypot(sx, sy))).toBeLessThan(0.1);
  });

  it('measures discs at any position on the pixel grid with their diameter, where pixel centres measured them 0.75 pixel short', () => {
    // A disc is the pixels whose centre lies inside it, its centre at 40 positions inside one pixel.
    for (const radius of [1.7, 2.3, 3.1, 4.4, 7.3]) {
      let meanDiameter = 0;
      let short = 0;
      for (let t = 0; t < 40; t++) {
        const [cx, cy] = [10 + ((t * 0.37) % 1), 10 + ((t * 0.61) % 1)];
        const data = new Uint8Array(21 * 21);
        for (let j = 0; j < 21; j++) for (let i = 0; i < 21; i++) data[i + j * 21] = (i - cx) ** 2 + (j - cy) ** 2 <= radius ** 2 ? 1 : 0;
        const axes = axialAxes({ offset: [0, 0, 0], size: [21, 21, 1], data }, [1, 1, 1]);
        meanDiameter += (axes.longAxis.lengthMm + axes.shortAxis.lengthMm) / 2 / 40;
        short += axes.shortAxis.lengthMm / 40;
      }
      expect(Math.abs(meanDiameter - 2 * radius)).toBeLessThan(0.45);
      expect(Math.abs(short - 2 * radius)).toBeLessThan(0.3);
    }
  });

  it('gives a one-pixel mask one pixel each way', () => {
    const { longAxis, shortAxis } = axialAxes({ offset: [3, 4, 5], size: [1, 1, 1], data: Uint8Array.of(1) }, [0.7, 0.7, 1]);
    expect(longAxis.lengthMm).toBeCloseTo(0.7);
    expect(shortAxis.lengthMm).toBeCloseTo(0.7);
    expect(longAxis.start.z).toBe(5);
  });
});

/** A ball (or ellipsoid with semi-axes scaled by `stretch`), optionally with thin spicules along the 14 lattice directions. */
function ball(radiusMm: number, spacing: number, options: { spicules?: number; stretch?: [number, number, number] } = {}): BoxMask {
  const reach = radiusMm * 2.2;
  const n = Math.ceil((2 * reach) / spacing) + 1;
  const size: [number, number, number] = [n, n, n];
  const data = new Uint8Array(n * n * n);
  const [ax, ay, az] = options.stretch ?? [1, 1, 1];
  const directions = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1], [1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1], [1, 1, -1], [-1, 1, 1]]
    .slice(0, options.spicules ?? 0).map((d) => d.map((v) => v / Math.hypot(...d)));
  for (let k = 0, p = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, p++) {
    const [x, y, z] = [i, j, k].map((v) => v * spacing - reach);
    if ((x / ax) ** 2 + (y / ay) ** 2 + (z / az) ** 2 <= radiusMm ** 2) { data[p] = 1; continue; }
    for (const [dx, dy, dz] of directions) {
      const t = x * dx + y * dy + z * dz;
      if (t > 0 && t < reach && Math.hypot(x - t * dx, y - t * dy, z - t * dz) <= 0.6) data[p] = 1;
    }
  }
  return { offset: [0, 0, 0], size, data };
}

describe('estimateSpiculation', () => {
  const spacing = 0.7;
  const estimate = (mask: BoxMask) => estimateSpiculation(mask, [spacing, spacing, spacing], mask.data.reduce((s, v) => s + v, 0) * spacing ** 3);
  it('is about 0 for a round or an elongated nodule and higher the more spicules a nodule has', () => {
    const round = estimate(ball(5, spacing));
    const elongated = estimate(ball(4, spacing, { stretch: [1.8, 1, 1] }));
    const few = estimate(ball(5, spacing, { spicules: 4 }));
    const many = estimate(ball(5, spacing, { spicules: 12 }));
    expect(round).toBeLessThan(0.1);
    expect(elongated).toBeLessThan(0.1);
    expect(few).toBeGreaterThan(round + 0.2);
    expect(many).toBeGreaterThan(few);
  });
});

describe('measureNodule: density type', () => {
  /** A nodule over two 1 mm slices: a 7-voxel ground-glass line (-500 HU) on one, a 4 x 4 core (-350 HU) on the other. */
  function lineAndCore(): { volume: Volume; lungs: LungMask; mask: BoxMask } {
    const dims: [number, number, number] = [20, 20, 2];
    const voxels = new Int16Array(dims[0] * dims[1] * dims[2]).fill(-850);
    const data = new Uint8Array(12 * 12 * 2);
    const mark = (i: number, j: number, k: number, hu: number) => {
      voxels[i + j * dims[0] + k * dims[0] * dims[1]] = hu;
      data[(i - 4) + (j - 4) * 12 + k * 144] = 1;
    };
    for (let i = 6; i < 13; i++) mark(i, 10, 0, -500);
    for (let j = 8; j < 12; j++) for (let i = 8; i < 12; i++) mark(i, j, 1, -350);
    const axes = [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }] as const;
    const volume: Volume = { voxels, dims, spacing: [1, 1, 1], origin: { x: 0, y: 0, z: 0 }, direction: axes, source: {} as Volume['source'] };
    const lungs: LungMask = {
      found: true, mask: new Uint8Array(voxels.length).fill(lungLabel.right), bounds: { offset: [0, 0, 0], size: dims },
      volumeMl: 0.8, rightVolumeMl: 0.8, leftVolumeMl: 0,
    };
    return { volume, lungs, mask: { offset: [4, 4, 0], size: [12, 12, 2], data } };
  }

  it('calls a nodule whose core measures as wide as the nodule itself solid, not part-solid with a core larger than the nodule', () => {
    const { volume, lungs, mask } = lineAndCore();
    const finding = measureNodule(volume, lungs, mask, 1);
    // The nodule's axes come from the line's slice (7 mm by 1), the core's from the square (5 mm by about 4).
    expect(finding.meanDiameterMm).toBe(4);
    expect(finding.type).toBe('solid');
    expect(finding.solidComponentMm).toBeUndefined();
  });

  it('calls a ground-glass nodule crossed by a vessel ground glass, and finds the core beside the vessel of a part-solid one', () => {
    // 16 x 16 x 3 mm of ground glass (-550 HU) at 1 mm; a vessel (+40 HU) two voxels wide across it on
    // every slice; in the second nodule also a 5 x 5 core (0 HU) away from the vessel.
    const build = (withCore: boolean) => {
      const dims: [number, number, number] = [24, 24, 3];
      const voxels = new Int16Array(dims[0] * dims[1] * dims[2]).fill(-850);
      const data = new Uint8Array(16 * 16 * 3).fill(1);
      for (let k = 0; k < 3; k++) {
        for (let j = 4; j < 20; j++) {
          for (let i = 4; i < 20; i++) {
            const vessel = j === 7 || j === 8;
            const core = withCore && i >= 12 && i < 17 && j >= 12 && j < 17;
            voxels[i + j * dims[0] + k * dims[0] * dims[1]] = vessel ? 40 : core ? 0 : -550;
          }
        }
      }
      const axes = [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }] as const;
      const volume: Volume = { voxels, dims, spacing: [1, 1, 1], origin: { x: 0, y: 0, z: 0 }, direction: axes, source: {} as Volume['source'] };
      const lungs: LungMask = {
        found: true, mask: new Uint8Array(voxels.length).fill(lungLabel.right), bounds: { offset: [0, 0, 0], size: dims },
        volumeMl: 1.7, rightVolumeMl: 1.7, leftVolumeMl: 0,
      };
      return measureNodule(volume, lungs, { offset: [4, 4, 0], size: [16, 16, 3], data }, 1);
    };
    expect(build(false).type).toBe('ground-glass');
    const partSolid = build(true);
    expect(partSolid.type).toBe('part-solid');
    // The core's axes run between the mid-points of its outline's sides: 5 mm along a side, 7.1 across the diagonal.
    expect(partSolid.solidComponentMm).toBeGreaterThanOrEqual(5);
    expect(partSolid.solidComponentMm).toBeLessThanOrEqual(7.1);
  });

  it('finds a solid component by its -400 HU outline and measures it on its voxels of -350 HU and more', () => {
    // 16 x 16 x 3 mm of ground glass (-550 HU) at 1 mm with a 5 x 5 core (0 HU) in a ring of blur (-380 HU).
    const dims: [number, number, number] = [24, 24, 3];
    const voxels = new Int16Array(dims[0] * dims[1] * dims[2]).fill(-850);
    for (let k = 0; k < 3; k++) {
      for (let j = 4; j < 20; j++) {
        for (let i = 4; i < 20; i++) {
          const core = i >= 10 && i < 15 && j >= 10 && j < 15;
          const ring = i >= 9 && i < 16 && j >= 9 && j < 16;
          voxels[i + j * dims[0] + k * dims[0] * dims[1]] = core ? 0 : ring ? -380 : -550;
        }
      }
    }
    const axes = [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }] as const;
    const volume: Volume = { voxels, dims, spacing: [1, 1, 1], origin: { x: 0, y: 0, z: 0 }, direction: axes, source: {} as Volume['source'] };
    const lungs: LungMask = {
      found: true, mask: new Uint8Array(voxels.length).fill(lungLabel.right), bounds: { offset: [0, 0, 0], size: dims },
      volumeMl: 1.7, rightVolumeMl: 1.7, leftVolumeMl: 0,
    };
    const finding = measureNodule(volume, lungs, { offset: [4, 4, 0], size: [16, 16, 3], data: new Uint8Array(16 * 16 * 3).fill(1) }, 1);
    expect(finding.type).toBe('part-solid');
    // The 5 x 5 core (5 to 7.1 mm), not the 7 x 7 ring around it (7 to 9.9 mm).
    expect(finding.solidComponentMm).toBeGreaterThanOrEqual(5);
    expect(finding.solidComponentMm).toBeLessThanOrEqual(7.1);
  });
});

describe('attenuationEquivalentDiameterMm', () => {
  const spacing: [number, number, number] = [1.4, 1.4, 2];
  const dims: [number, number, number] = [16, 16, 10];
  const axes = [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }] as const;

  /**
   * A solid (0 HU) ball of `diameterMm` in parenchyma (-850 HU), off the voxel grid: each voxel the
   * share of it inside the ball (5 x 5 x 5 samples: partial volume), blurred by [1 2 1] / 4 along each
   * axis (the scanner); columns from `wallFrom` on are chest wall (40 HU, not lung). The mask is what
   * a -500 HU threshold keeps.
   */
  function smallNodule(diameterMm: number, wallFrom = dims[0]) {
    const centre = [7.3 * spacing[0], 7.6 * spacing[1], 4.4 * spacing[2]];
    const stride = [1, dims[0], dims[0] * dims[1]];
    let share = new Float64Array(dims[0] * dims[1] * dims[2]);
    for (let k = 0, n = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
      for (let c = 0; c < 125; c++) {
        const p = [i + ((c % 5) + 0.5) / 5 - 0.5, j + ((Math.floor(c / 5) % 5) + 0.5) / 5 - 0.5, k + (Math.floor(c / 25) + 0.5) / 5 - 0.5];
        if (Math.hypot(...p.map((v, a) => v * spacing[a] - centre[a])) <= diameterMm / 2) share[n] += 1 / 125;
      }
    }
    for (let a = 0; a < 3; a++) {
      // The ball lies well inside the grid: the edges hold no share to blur.
      share = share.map((v, n) => (n - stride[a] >= 0 && n + stride[a] < share.length ? (share[n - stride[a]] + 2 * v + share[n + stride[a]]) / 4 : v));
    }
    const voxels = new Int16Array(share.length);
    const lung = new Uint8Array(voxels.length);
    const data = new Uint8Array(voxels.length);
    for (let n = 0; n < voxels.length; n++) {
      if (n % dims[0] >= wallFrom) { voxels[n] = 40; continue; }
      voxels[n] = Math.round(-850 + 850 * share[n]);
      lung[n] = lungLabel.right;
      if (voxels[n] > -500) data[n] = 1;
    }
    const volume: Volume = { voxels, dims, spacing, origin: { x: 0, y: 0, z: 0 }, direction: axes, source: {} as Volume['source'] };
    const lungs: LungMask = { found: true, mask: lung, bounds: { offset: [0, 0, 0], size: dims }, volumeMl: 1, rightVolumeMl: 1, leftVolumeMl: 0 };
    const mask: BoxMask = { offset: [0, 0, 0], size: dims, data };
    const maskDiameterMm = Math.cbrt((6 * data.reduce((s, v) => s + v, 0) * spacing[0] * spacing[1] * spacing[2]) / Math.PI);
    return { volume, lungs, mask, maskDiameterMm };
  }

  it('gives a 4 mm solid nodule its size where its thresholded mask measures under 3 mm', () => {
    const { volume, lungs, mask, maskDiameterMm } = smallNodule(4);
    expect(maskDiameterMm).toBeLessThan(3);
    expect(attenuationEquivalentDiameterMm(volume, lungs, mask)).toBeCloseTo(4, 0);
  });

  it('does not count the chest wall beside a juxtapleural nodule', () => {
    const free = smallNodule(4);
    const againstWall = smallNodule(4, 10);
    expect(attenuationEquivalentDiameterMm(againstWall.volume, againstWall.lungs, againstWall.mask))
      .toBeCloseTo(attenuationEquivalentDiameterMm(free.volume, free.lungs, free.mask), 1);
  });

  it('leaves a 2 mm nodule under the 3 mm floor', () => {
    const { volume, lungs, mask } = smallNodule(2);
    expect(attenuationEquivalentDiameterMm(volume, lungs, mask)).toBeLessThan(2.5);
  });
});
