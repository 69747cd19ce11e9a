import { createHash, randomUUID } from 'node:crypto';

/**
 * UIDs under the `2.25.` root (PS3.5 B.2): the decimal form of a 128-bit UUID, so no registered
 * organisation root is needed and two runs never collide.
 */
export function newUid(): string {
  return uuidHexToUid(randomUUID().replaceAll('-', ''));
}

/**
 * A stable UID for a name (e.g. the device observer "Lungbridge <model> <version>"): a name-based
 * UUID (RFC 9562 v5 layout over SHA-1) under `2.25.`, so the same device gets the same UID in every report.
 */
export function uidFromName(name: string): string {
  const hash = createHash('sha1').update(`lungbridge:${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  return uuidHexToUid(hash.subarray(0, 16).toString('hex'));
}

/** The two UIDs a new result object needs. */
export interface InstanceUids {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export function newInstanceUids(): InstanceUids {
  return { sopInstanceUid: newUid(), seriesInstanceUid: newUid() };
}

function uuidHexToUid(hex: string): string {
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** PS3.5 9.1: digits and dots, no empty or zero-padded components, at most 64 characters. */
const uidSyntax = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isValidUid(value: string): boolean {
  return value.length <= 64 && uidSyntax.test(value);
}
