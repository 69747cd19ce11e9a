/** Which earlier study of the patient a CT is compared with. Pure. */
import type { StudyInfo } from '../dicomweb/client.ts';
import { parseDicomDate } from '../dicom/dates.ts';

/** Whole days from `earlier` to `later` (DICOM DA values); undefined when either is missing or malformed. */
export function daysBetween(earlier: unknown, later: unknown): number | undefined {
  const a = parseDicomDate(earlier);
  const b = parseDicomDate(later);
  return a && b ? Math.round((b.getTime() - a.getTime()) / 86_400_000) : undefined;
}

/**
 * The patient's studies dated before the current one, newest first: the candidates for "the
 * prior". Studies of the same day are left out (a re-scan or another series of one visit, not a
 * follow-up), and so are studies without a date (no interval, so no growth rate).
 */
export function earlierStudies(current: { studyInstanceUid: string; studyDate?: string }, studies: readonly StudyInfo[]): StudyInfo[] {
  return studies
    .filter((s) => s.studyInstanceUid !== current.studyInstanceUid)
    .map((s) => ({ study: s, days: daysBetween(s.studyDate, current.studyDate) }))
    .filter((s): s is { study: StudyInfo; days: number } => s.days !== undefined && s.days > 0)
    .sort((a, b) => a.days - b.days)
    .map((s) => s.study);
}
