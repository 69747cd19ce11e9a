import { isValidUid } from './uids.ts';

/** A builder was given something that would make an invalid DICOM object. Names the argument and the rule. */
export class DicomBuildError extends Error {
  constructor(readonly argument: string, readonly rule: string) {
    super(`${argument}: ${rule}`);
    this.name = 'DicomBuildError';
  }
}

/** A file that is not the DICOM object a reader expects (wrong SOP class, missing content). */
export class DicomReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DicomReadError';
  }
}

export function requireUid(argument: string, value: string): string {
  if (!isValidUid(value)) {
    throw new DicomBuildError(argument, `"${value}" is not a UID (digits and dots, no leading zeros, at most 64 characters)`);
  }
  return value;
}

/** LO (PS3.5 6.2): at most 64 characters, no backslash, no control characters. */
export function requireLo(argument: string, value: string): string {
  return requireString(argument, value, 64, 'LO');
}

/** SH (PS3.5 6.2): at most 16 characters; code values are SH. */
export function requireSh(argument: string, value: string): string {
  return requireString(argument, value, 16, 'SH');
}

/** UT (PS3.5 6.2) as used for TEXT content items: any length, no NUL. */
export function requireText(argument: string, value: string): string {
  if (value.length === 0) throw new DicomBuildError(argument, 'TEXT value must not be empty');
  if (value.includes('\0')) throw new DicomBuildError(argument, 'TEXT value must not contain NUL');
  return value;
}

function requireString(argument: string, value: string, maxLength: number, vr: string): string {
  if (value.length === 0) throw new DicomBuildError(argument, `${vr} value must not be empty`);
  if (value.length > maxLength) {
    throw new DicomBuildError(argument, `${vr} allows at most ${maxLength} characters, got ${value.length} ("${value.slice(0, 20)}…")`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\\\x00-\x1f]/.test(value)) throw new DicomBuildError(argument, `${vr} must not contain a backslash or control characters`);
  return value;
}

export function requireFinite(argument: string, value: number): number {
  if (!Number.isFinite(value)) throw new DicomBuildError(argument, `must be a finite number, got ${value}`);
  return value;
}
