import { createHash } from 'node:crypto';
import type { CtSeriesIdentity } from '../dicom/ct-writer.ts';
import { createRng } from './random.ts';

/**
 * A UID under the 2.25 root (PS3.5 B.2: the decimal form of a 128-bit UUID) from a hash of `name`:
 * the same phantom always gets the same UIDs, different phantoms never share one.
 */
export function hashUid(name: string): string {
  const digest = createHash('sha256').update(`lungbridge-phantom/${name}`).digest('hex');
  return `2.25.${BigInt(`0x${digest.slice(0, 32)}`).toString()}`;
}

export interface ScanUids {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly sopInstanceUids: readonly string[];
}

/** UIDs of scan `scan` ('baseline', 'follow-up/365', ...) of phantom `seed`. */
export function scanUids(seed: number, scan: string, slices: number): ScanUids {
  const base = `${seed}/${scan}`;
  return {
    studyInstanceUid: hashUid(`${base}/study`),
    seriesInstanceUid: hashUid(`${base}/series`),
    frameOfReferenceUid: hashUid(`${base}/frame-of-reference`),
    sopInstanceUids: Array.from({ length: slices }, (_, k) => hashUid(`${base}/instance/${k + 1}`)),
  };
}

const baselineStudyDay = Date.UTC(2024, 0, 15);
const dayMs = 86_400_000;

const dicomDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

/**
 * A synthetic patient for phantom `seed`, aged 55-77 (the screening population of the NLST and
 * PanCan, so Brock has its inputs), scanned `daysAfterBaseline` days after the first study.
 */
export function phantomIdentity(seed: number, daysAfterBaseline = 0, overrides: Partial<CtSeriesIdentity> = {}): CtSeriesIdentity {
  const rng = createRng(seed, 'identity');
  const ageYears = rng.int(55, 77);
  const birthdayOffsetDays = rng.int(1, 364);
  const sex = rng.pick(['M', 'F'] as const);
  const studyMs = baselineStudyDay + daysAfterBaseline * dayMs;
  const birthMs = Date.UTC(2024 - ageYears - 1, 0, 15) + birthdayOffsetDays * dayMs;
  const age = Math.floor((studyMs - birthMs) / (365.2425 * dayMs));
  return {
    patientName: 'Phantom^Lungbridge',
    patientId: `LB-PHANTOM-${seed}`,
    patientSex: sex,
    patientBirthDate: dicomDate(birthMs),
    patientAge: `${String(age).padStart(3, '0')}Y`,
    studyDate: dicomDate(studyMs),
    studyTime: '093000',
    studyId: String(daysAfterBaseline === 0 ? 1 : 2),
    accessionNumber: `LBP${seed}${daysAfterBaseline === 0 ? '' : `F${daysAfterBaseline}`}`.slice(0, 16),
    studyDescription: 'CT CHEST LOW DOSE SCREENING (SYNTHETIC PHANTOM)',
    seriesDescription: 'Phantom 1.0 STANDARD',
    seriesNumber: 2,
    bodyPartExamined: 'CHEST',
    manufacturer: 'Lungbridge',
    ...overrides,
  };
}
