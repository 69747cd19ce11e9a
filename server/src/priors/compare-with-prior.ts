/**
 * The comparison stage (between measure and assess): find the patient's earlier CT in the PACS,
 * make sure it is analysed, register the two scans on their lungs, match the nodules and say
 * what changed. I/O here; the imaging and the comparison are the pure modules beside it.
 */
import { isoDate } from '../dicom/dates.ts';
import type { StudyInfo } from '../dicomweb/client.ts';
import { findingsOfAnalysis, type FindingRow } from '../db/findings-repo.ts';
import type { LungRadsCategory } from '../domain/assessment.ts';
import { axisMethod, type Finding } from '../domain/finding.ts';
import type { Vec3, Volume } from '../domain/volume.ts';
import { loadAnalysedVolume, type AnalysedVolumeDeps } from '../review/analysed-volume.ts';
import { compareMatchedNodules, type FindingChange, type ResolvedNodule } from './compare.ts';
import { matchNodules, type NoduleAtTime } from './match.ts';
import { ensurePriorAnalysed, type PriorAnalysisDeps } from './prior-analysis.ts';
import { daysBetween, earlierStudies } from './prior-study.ts';
import { identityTransform, registerLungs, rotationAngleDeg, type LungSurface, type Registration } from './register.ts';
import { errorMessage } from '../errors/error-message.ts';

/** What the comparison with the prior study found. */
export interface PriorStudyComparison {
  readonly priorAnalysisId: string;
  readonly priorStudyInstanceUid: string;
  readonly intervalDays: number;
  /** How the scans were aligned; absent when one of them has no nodules (nothing to pair). */
  readonly registration?: { readonly rmsMm: number; readonly rotationDeg: number; readonly translationMm: Vec3; readonly pairs: number };
  /** By the current finding's tracking UID. */
  readonly changes: ReadonlyMap<string, FindingChange>;
  readonly resolved: readonly ResolvedNodule[];
  /** Whether the prior was analysed just now, for this comparison. */
  readonly priorAnalysedNow: boolean;
}

export interface ComparePriorInput {
  readonly analysisId: string;
  readonly volume: Volume;
  readonly findings: readonly Finding[];
}

/** Stage 5b: the comparison, or none (with the reason as a warning when there was a prior to compare with). */
export type ComparePrior = (input: ComparePriorInput) => Promise<{ comparison?: PriorStudyComparison; warnings: string[] }>;

export interface PriorComparerDeps extends Omit<PriorAnalysisDeps, 'runInline'>, AnalysedVolumeDeps {
  /** The surface of a scan's lungs, for the registration (the engine's, off the service's thread). */
  readonly lungSurface: (volume: Volume) => Promise<LungSurface>;
  readonly runInline: PriorAnalysisDeps['runInline'];
}

/** A prior finding a reader rejected is not a nodule: the matching and the warnings leave it out. */
const rejectedByReader = (row: FindingRow) => row.reviewStatus === 'rejected';

/** A prior finding as the matching sees it. */
export function noduleFromRow(row: FindingRow): NoduleAtTime | undefined {
  if (rejectedByReader(row)) return undefined;
  const m = row.measurements as { centroidMm: Vec3; meanDiameterMm: number; volumeMm3: number; solidComponentMm?: number };
  const category = (row.assessment as { lungRads?: { category?: LungRadsCategory } } | null)?.lungRads?.category;
  return {
    id: row.id,
    index: row.index,
    trackingUid: row.trackingUid,
    centroidMm: m.centroidMm,
    meanDiameterMm: m.meanDiameterMm,
    volumeMm3: m.volumeMm3,
    ...(m.solidComponentMm === undefined ? {} : { solidComponentMm: m.solidComponentMm }),
    ...(category ? { lungRadsCategory: category } : {}),
  };
}

type PriorStudy = Pick<StudyInfo, 'studyInstanceUid' | 'studyDate'>;

/**
 * How the notes name the prior: by its date, which the reader knows it by, and by its UID, which
 * finds it in the PACS.
 */
export function priorStudyName(prior: PriorStudy): string {
  const date = isoDate(prior.studyDate);
  return date ? `the prior study of ${date} (${prior.studyInstanceUid})` : `the prior study ${prior.studyInstanceUid}`;
}

/**
 * A warning when findings of the prior (those a reader did not reject) were measured another way
 * than `axisMethod`: before 2026-11-28 the axes ran between pixel centres, about 0.75 pixel shorter
 * on the mean diameter, and the change of diameter would include that.
 */
export function priorAxisMethodWarning(prior: PriorStudy, rows: readonly FindingRow[]): string | undefined {
  const other = rows.filter((row) => !rejectedByReader(row) && (row.measurements as { axisMethod?: string }).axisMethod !== axisMethod);
  if (other.length === 0) return undefined;
  const name = priorStudyName(prior);
  return `${name[0].toUpperCase()}${name.slice(1)} has ${other.length} finding(s) whose axes were measured between pixel centres`
    + ' (analysed before 2026-11-28), about 0.75 pixel shorter on the mean diameter than now: their diameter changes include that.'
    + ' Analyse the prior study again (force) to compare like with like.';
}

export function noduleFromFinding(f: Finding): NoduleAtTime {
  return {
    id: f.trackingUid, index: f.index, trackingUid: f.trackingUid, centroidMm: f.centroidMm, meanDiameterMm: f.meanDiameterMm, volumeMm3: f.volumeMm3,
    ...(f.solidComponentMm === undefined ? {} : { solidComponentMm: f.solidComponentMm }),
  };
}

async function register(surface: PriorComparerDeps['lungSurface'], current: Volume, prior: Volume): Promise<Registration> {
  return registerLungs(await surface(current), await surface(prior));
}

export function createPriorComparer(deps: PriorComparerDeps): ComparePrior {
  return async ({ volume, findings }) => {
    const patientId = String(volume.source.patientStudy.PatientID ?? '').trim();
    const studyDate = String(volume.source.patientStudy.StudyDate ?? '').trim();
    if (!patientId || !studyDate) return { warnings: [] };
    const studies = await deps.pacs.searchStudiesOfPatient(patientId);
    const earlier = earlierStudies({ studyInstanceUid: volume.source.studyInstanceUid, studyDate }, studies);
    let prior: (typeof earlier)[number] | undefined;
    for (const study of earlier) {
      if ((await deps.pacs.searchSeries(study.studyInstanceUid)).some((s) => s.modality === 'CT')) { prior = study; break; }
    }
    if (!prior) return { warnings: [] };
    const intervalDays = daysBetween(prior.studyDate, studyDate)!;

    const notCompared = (reason: string) => ({ warnings: [`Not compared with ${priorStudyName(prior)}: ${reason}`] });
    const outcome = await ensurePriorAnalysed(deps, prior.studyInstanceUid);
    if (!outcome.ok) return notCompared(outcome.reason);
    const priorRows = await findingsOfAnalysis(deps.db, outcome.analysis.id);
    const priorNodules = priorRows.map(noduleFromRow).filter((n): n is NoduleAtTime => n !== undefined);
    const axisWarning = priorAxisMethodWarning(prior, priorRows);
    const currentNodules = findings.map(noduleFromFinding);

    let registration: Registration | undefined;
    if (priorNodules.length && currentNodules.length) {
      let priorVolume: Volume;
      try {
        priorVolume = await loadAnalysedVolume(deps, outcome.analysis);
      } catch (error) {
        return notCompared(`its images could not be read back from the PACS (${errorMessage(error)})`);
      }
      try {
        registration = await register(deps.lungSurface, volume, priorVolume);
      } catch (error) {
        return notCompared(`the two scans could not be registered: ${errorMessage(error)}`);
      }
    }
    const { changes, resolved } = compareMatchedNodules(matchNodules(currentNodules, priorNodules, registration?.transform ?? identityTransform), intervalDays);
    return {
      comparison: {
        priorAnalysisId: outcome.analysis.id,
        priorStudyInstanceUid: prior.studyInstanceUid,
        intervalDays,
        ...(registration ? {
          registration: {
            rmsMm: registration.rmsMm,
            rotationDeg: rotationAngleDeg(registration.transform),
            translationMm: registration.transform.translation,
            pairs: registration.pairs,
          },
        } : {}),
        changes,
        resolved,
        priorAnalysedNow: outcome.ranInline,
      },
      warnings: axisWarning ? [axisWarning] : [],
    };
  };
}
