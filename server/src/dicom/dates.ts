/** DICOM DA values (YYYYMMDD), read once here for the assessment, the prior comparison and the pages. */

/** A DA value as a UTC date; undefined when it is malformed or names no calendar day (20250230). */
export function parseDicomDate(value: unknown): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(String(value ?? '').trim());
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]) ? date : undefined;
}

/** A DA value as YYYY-MM-DD; undefined when it is no date. */
export function isoDate(value: unknown): string | undefined {
  return parseDicomDate(value)?.toISOString().slice(0, 10);
}
