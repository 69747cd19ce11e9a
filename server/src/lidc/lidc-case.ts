import type { SeriesSummary } from '../domain/analysis.ts';
import type { Volume } from '../domain/volume.ts';
import { buildNodules, type LidcNodule } from './cluster-marks.ts';
import type { LidcReadMessage } from './lidc-xml.ts';
import { pointMarkInVolume, readerMarkInVolume, type LidcPointInVolume } from './reader-marks.ts';

/**
 * The usual LIDC reference standard (LUNA16, Setio et al., Med Image Anal 42:1, 2017): nodules
 * >= 3 mm outlined by at least 3 of the 4 readers.
 */
export const referenceMinReaders = 3;

/** One LIDC case: the CT volume and the readers' annotations that fall inside it. */
export interface LidcCase {
  readonly caseId: string;
  readonly volume: Volume;
  readonly summary: SeriesSummary;
  readonly readerIds: readonly string[];
  /** The reference set: nodules >= 3 mm outlined by >= referenceMinReaders readers. */
  readonly nodules: readonly LidcNodule[];
  /** Nodules >= 3 mm outlined by fewer readers: neither to be found nor false positives (LUNA16). */
  readonly minorityNodules: readonly LidcNodule[];
  /** Nodules < 3 mm, one point per reader mark. */
  readonly smallNodules: readonly LidcPointInVolume[];
  /** Points a reader judged not to be a nodule. */
  readonly nonNodules: readonly LidcPointInVolume[];
  /** Annotation marks left out (outside the slab), mismatched series, and the like. */
  readonly warnings: readonly string[];
}

/** Places a parsed read message in a volume: pure, so it can be tested on any volume. */
export function lidcCaseFromVolume(
  caseId: string,
  volume: Volume,
  summary: SeriesSummary,
  message: LidcReadMessage,
): LidcCase {
  const warnings: string[] = [];
  if (message.seriesInstanceUid && message.seriesInstanceUid !== volume.source.seriesInstanceUid) {
    warnings.push(`annotations are for series ${message.seriesInstanceUid}, the volume is series ${volume.source.seriesInstanceUid}`);
  }
  const marks = message.sessions.flatMap((session) => session.nodules.flatMap((nodule) => {
    const mark = readerMarkInVolume(volume, session.radiologistId, nodule);
    return mark ? [mark] : [];
  }));
  const outside = message.sessions.reduce((n, s) => n + s.nodules.length, 0) - marks.length;
  if (outside > 0) warnings.push(`${outside} reader outline(s) of nodules >= 3 mm lie outside the volume and were left out`);
  const points = (pick: 'smallNodules' | 'nonNodules') => message.sessions.flatMap((session) =>
    session[pick].flatMap((mark) => {
      const placed = pointMarkInVolume(volume, session.radiologistId, mark);
      return placed ? [placed] : [];
    }));
  const nodules = buildNodules(volume, marks);
  return {
    caseId,
    volume,
    summary,
    readerIds: message.sessions.map((s) => s.radiologistId),
    nodules: nodules.filter((n) => n.readerCount >= referenceMinReaders),
    minorityNodules: nodules.filter((n) => n.readerCount < referenceMinReaders),
    smallNodules: points('smallNodules'),
    nonNodules: points('nonNodules'),
    warnings,
  };
}
