import type { PhantomRegion } from './types.ts';
import { LatticeNoise } from './lattice-noise.ts';
import type { Rng } from './random.ts';

/**
 * The body of the phantom as functions of a point in the anatomy frame (mm; x to the patient's left,
 * y posterior, z cranial, 0 near the carina). Attenuations are typical unenhanced CT values
 * (e.g. Lev & Gonzalez, "CT angiography and CT perfusion imaging", and radiology texts):
 * air -1000, lung -850 (gravity-dependent), fat -100, muscle 45, blood 40, liver 58,
 * cancellous bone 220, cortical bone 700-900.
 */
export const hu = {
  air: -1000,
  lung: -855,
  fat: -100,
  mediastinalFat: -90,
  skin: 20,
  muscle: 45,
  blood: 40,
  heart: 40,
  liver: 58,
  spleen: 46,
  stomach: 28,
  bowel: 25,
  kidney: 32,
  disc: 80,
  cancellous: 220,
  cortical: 700,
  csf: 15,
  table: 200,
} as const;

/** What fills a point of the thoracic/abdominal cavity. */
export const CavityKind = { Mediastinum: 0, RightLung: 1, LeftLung: 2, Abdomen: 3, Heart: 4 } as const;
export type CavityKind = (typeof CavityKind)[keyof typeof CavityKind];

/** Everything about one height z that does not depend on x and y, computed once per slice. */
export interface AnatomySlice {
  readonly z: number;
  readonly bodyA: number;
  readonly bodyBAnt: number;
  readonly bodyBPost: number;
  readonly mediastinumX: number;
  readonly heart?: { readonly cx: number; readonly cy: number; readonly ax: number; readonly ay: number };
  readonly disc: boolean;
  readonly sternum: boolean;
  readonly gas: readonly { readonly cx: number; readonly cy: number; readonly ax: number; readonly ay: number }[];
}

/** A slice with the planes of lung texture, for painting. */
export interface TexturedSlice extends AnatomySlice {
  readonly textureCoarse: Float32Array;
  readonly textureFine: Float32Array;
}

interface Ellipsoid { readonly cx: number; readonly cy: number; readonly cz: number; readonly ax: number; readonly ay: number; readonly az: number }

const smoothstep = (edge0: number, edge1: number, x: number): number => {
  const t = Math.min(Math.max((x - edge0) / (edge1 - edge0), 0), 1);
  return t * t * (3 - 2 * t);
};

/** Vertebral body centre (y) and the descending aorta, shared by the lungs' borders and the tubes. */
export const landmarks = {
  spineY: 30,
  aortaX: 25,
  aortaY: 15,
  aortaR: 11,
  tracheaY: -5,
  carinaZ: 35,
  sternumTopZ: 115,
  sternumBottomZ: -75,
  /** Where the chest ends and the abdomen's organs below the liver begin. */
  liverBottomZ: -230,
} as const;

export class Anatomy {
  readonly lungsPresent: boolean;
  private readonly bodyA: number;
  private readonly bodyBAnt: number;
  private readonly bodyBPost: number;
  private readonly fatMm: number;
  private readonly heartShape: Ellipsoid;
  /** Height of the top of each hemidiaphragm's dome, [right, left]: the right one is higher (liver). */
  private readonly dome: readonly [number, number];
  private readonly apex: readonly [number, number];
  private readonly coarse: LatticeNoise;
  private readonly fine: LatticeNoise;
  private readonly gasPockets: readonly Ellipsoid[];

  constructor(rng: Rng, region: PhantomRegion) {
    this.lungsPresent = region === 'chest';
    const size = rng.uniform(0.93, 1.07);
    this.bodyA = 158 * size * rng.uniform(0.96, 1.04);
    this.bodyBAnt = 108 * size * rng.uniform(0.95, 1.05);
    this.bodyBPost = 100 * size;
    this.fatMm = rng.uniform(6, 16);
    this.heartShape = {
      cx: 22 + rng.uniform(-4, 4), cy: -22, cz: -58 + rng.uniform(-5, 5),
      ax: 60 * rng.uniform(0.93, 1.07), ay: 48 * rng.uniform(0.93, 1.07), az: 55,
    };
    this.dome = [-68 + rng.uniform(-6, 6), -84 + rng.uniform(-6, 6)];
    this.apex = [126 + rng.uniform(-5, 5), 130 + rng.uniform(-5, 5)];
    const min = [-200, -150, -420] as const;
    const max = [200, 150, 220] as const;
    this.coarse = new LatticeNoise(rng, 14, min, max);
    this.fine = new LatticeNoise(rng, 4.5, min, max);
    // Stomach fundus gas under the left dome, and bowel gas below the liver: air that is not lung.
    const gas: Ellipsoid[] = [{ cx: 58, cy: -12, cz: this.dome[1] - 22, ax: 24, ay: 16, az: 10 }];
    for (let i = 0; i < 8; i++) {
      gas.push({
        cx: rng.uniform(-70, 70), cy: rng.uniform(-70, -10), cz: rng.uniform(-400, landmarks.liverBottomZ - 10),
        ax: rng.uniform(8, 22), ay: rng.uniform(6, 14), az: rng.uniform(6, 16),
      });
    }
    this.gasPockets = gas;
  }

  slice(z: number): AnatomySlice {
    const neck = smoothstep(70, 170, z);
    const h = this.heartShape;
    const dzHeart = (z - h.cz) / h.az;
    const f = dzHeart * dzHeart < 1 ? Math.sqrt(1 - dzHeart * dzHeart) : 0;
    const phase = (((z + 1000) % 30) + 30) % 30;
    return {
      z,
      bodyA: this.bodyA * (1 - 0.12 * neck),
      bodyBAnt: this.bodyBAnt * (1 - 0.1 * neck),
      bodyBPost: this.bodyBPost,
      mediastinumX: 8 * smoothstep(20, -60, z),
      heart: this.lungsPresent && f > 0 ? { cx: h.cx, cy: h.cy, ax: h.ax * f, ay: h.ay * f } : undefined,
      disc: phase < 6,
      sternum: z > landmarks.sternumBottomZ && z < landmarks.sternumTopZ,
      gas: this.gasPockets.flatMap((g) => {
        const d = (z - g.cz) / g.az;
        if (d * d >= 1) return [];
        const s = Math.sqrt(1 - d * d);
        return [{ cx: g.cx, cy: g.cy, ax: g.ax * s, ay: g.ay * s }];
      }),
    };
  }

  textured(z: number): TexturedSlice {
    return { ...this.slice(z), textureCoarse: this.coarse.plane(z), textureFine: this.fine.plane(z) };
  }

  /** Subcutaneous fat thickness at (x, y); thicker anteriorly. */
  private fatAt(y: number, s: AnatomySlice): number {
    return this.fatMm + (y < 0 ? (6 * -y) / s.bodyBAnt : 0);
  }

  /**
   * Depth below the skin (mm, along the ray from the body centre) at which the chest wall ends and
   * the cavity begins: skin 2, fat, muscle (pectorals anteriorly, paraspinal muscles beside the
   * spine), and 7 mm for the ribs and intercostal muscle.
   */
  wallDepth(x: number, y: number, s: AnatomySlice): number {
    // Paraspinal bump: (1 - (x/75)²)², a smooth hump 75 mm to each side without an exp per voxel.
    const u = 1 - (x * x) / 5625;
    const muscle = 7 + (y < 0 ? (6 * -y) / s.bodyBAnt : 0) + (y > 0 && u > 0 ? 38 * u * u * Math.min(1, y / 60) : 0);
    return 2 + this.fatAt(y, s) + muscle + 7;
  }

  /** Depth below the skin along the ray from the body centre; negative outside the body. */
  depth(x: number, y: number, s: AnatomySlice): number {
    const b = y < 0 ? s.bodyBAnt : s.bodyBPost;
    const nx = x / s.bodyA;
    const ny = y / b;
    const rho = Math.sqrt(nx * nx + ny * ny);
    if (rho < 1e-6) return 1e9;
    return Math.sqrt(x * x + y * y) * (1 / rho - 1);
  }

  /** Height of the diaphragm under (x, y): domes highest mid-lung, lowest in the posterior recesses. */
  diaphragmZ(x: number, y: number, s: AnatomySlice): number {
    const side = x < s.mediastinumX ? 0 : 1;
    const lx = Math.abs(x - s.mediastinumX) - 60;
    const q = Math.min((lx * lx) / 5625 + (y * y) / 7225, 1.3);
    return this.dome[side] - 75 * q - (12 * Math.max(0, y)) / 100;
  }

  /** What fills cavity point (x, y) (the caller knows it is deeper than the chest wall). */
  cavityKind(x: number, y: number, s: AnatomySlice): CavityKind {
    if (!this.lungsPresent || s.z < this.diaphragmZ(x, y, s)) return CavityKind.Abdomen;
    const heart = s.heart;
    if (heart) {
      const hx = (x - heart.cx) / heart.ax;
      const hy = (y - heart.cy) / heart.ay;
      if (hx * hx + hy * hy < 1) return CavityKind.Heart;
      // 4 mm of pericardial fat between heart and lung
      const mx = (x - heart.cx) / (heart.ax + 4);
      const my = (y - heart.cy) / (heart.ay + 4);
      if (mx * mx + my * my < 1) return CavityKind.Mediastinum;
    }
    const lx = Math.abs(x - s.mediastinumX);
    // Mediastinum: narrow in front (anterior junction line), wide in the middle for the trachea and
    // great vessels, narrower behind them where the lungs reach the oesophagus (azygo-oesophageal recess).
    const halfWidth = 14 + 24 * smoothstep(-55, -25, y) * (1 - 0.45 * smoothstep(0, 25, y));
    if (lx < halfWidth) return CavityKind.Mediastinum;
    const ax = x - landmarks.aortaX;
    const ay = y - landmarks.aortaY;
    if (s.z < 60 && ax * ax + ay * ay < (landmarks.aortaR + 2) ** 2) return CavityKind.Mediastinum;
    const sy = y - landmarks.spineY;
    if (x * x + sy * sy < 24 * 24 || (Math.abs(x) < 24 && sy > 0)) return CavityKind.Mediastinum;
    const side = x < s.mediastinumX ? 0 : 1;
    const ex = lx - 45;
    const ey = y - 15;
    if (s.z > this.apex[side] - 0.024 * (ex * ex + ey * ey)) return CavityKind.Mediastinum; // dome-shaped apices
    return side === 0 ? CavityKind.RightLung : CavityKind.LeftLung;
  }

  /** 1 (right lung), 2 (left lung) or 0 at anatomy point (x, y, s.z). */
  lungSide(x: number, y: number, s: AnatomySlice): 0 | 1 | 2 {
    if (!this.lungsPresent) return 0;
    const depth = this.depth(x, y, s);
    if (depth < this.wallDepth(x, y, s)) return 0;
    const kind = this.cavityKind(x, y, s);
    return kind === CavityKind.RightLung ? 1 : kind === CavityKind.LeftLung ? 2 : 0;
  }

  private spineHu(x: number, y: number, s: AnatomySlice): number | undefined {
    const sy = y - landmarks.spineY;
    if (x < -32 || x > 32 || sy < -17 || sy > 52) return undefined;
    const bx = x / 17;
    const by = sy / 15;
    const body = bx * bx + by * by;
    if (body < 1) {
      if (s.disc) return hu.disc;
      const ix = x / 15.5;
      const iy = sy / 13.5;
      return ix * ix + iy * iy < 1 ? hu.cancellous : hu.cortical;
    }
    const cy = sy - 27;
    const canal = x * x + cy * cy;
    if (canal < 49) return hu.csf;
    if (canal < 144 && cy > -10) return 600; // pedicles and lamina
    if (Math.abs(x) < 3.5 && sy > 36 && sy < 50) return 550; // spinous process
    if (Math.abs(sy - 25) < 4 && Math.abs(x) > 10 && Math.abs(x) < 30) return 550; // transverse processes
    return undefined;
  }

  private abdomenHu(x: number, y: number, s: AnatomySlice): number {
    for (const g of s.gas) {
      const gx = (x - g.cx) / g.ax;
      const gy = (y - g.cy) / g.ay;
      if (gx * gx + gy * gy < 1) return hu.air;
    }
    if (s.z > landmarks.liverBottomZ) {
      if (x < s.mediastinumX + 15 - 0.2 * y) return hu.liver;
      if (x > 40 && y > 10) return hu.spleen;
      return hu.stomach;
    }
    const kx = (Math.abs(x) - 65) / 28;
    const ky = (y - 40) / 22;
    if (s.z > -330 && kx * kx + ky * ky < 1) return hu.kidney;
    return hu.bowel;
  }

  /** Attenuation (HU) of the tissue at anatomy point (x, y, s.z), before tubes, nodules, blur and noise. */
  backgroundHu(x: number, y: number, s: TexturedSlice): number {
    const depth = this.depth(x, y, s);
    if (depth < 0) return hu.air;
    const spine = this.spineHu(x, y, s);
    if (spine !== undefined) return spine;
    if (depth < 2) return hu.skin;
    const fat = 2 + this.fatAt(y, s);
    if (depth < fat) return hu.fat;
    const wall = this.wallDepth(x, y, s);
    if (depth < wall) {
      if (s.sternum && y < 0 && x > -15 && x < 15 && depth < fat + 14) {
        const sx = x / 15;
        const sy = (depth - fat - 7) / 6;
        const r = sx * sx + sy * sy;
        if (r < 1) return r < 0.6 ? hu.cancellous + 80 : hu.cortical;
      }
      return hu.muscle;
    }
    switch (this.cavityKind(x, y, s)) {
      case CavityKind.RightLung:
      case CavityKind.LeftLung: {
        // Dependent (posterior) lung is denser: about 60 HU from front to back when supine.
        const gravity = (60 * y) / (s.bodyBAnt + s.bodyBPost);
        const texture = 22 * this.coarse.sample(s.textureCoarse, x, y) + 10 * this.fine.sample(s.textureFine, x, y);
        return hu.lung + gravity + texture;
      }
      case CavityKind.Heart:
        return hu.heart;
      case CavityKind.Abdomen:
        return this.abdomenHu(x, y, s);
      default:
        return hu.mediastinalFat;
    }
  }
}
