import type { AnalysisStatus } from '../../domain/analysis.ts';
import type { LungRadsCategory } from '../../domain/assessment.ts';
import type { NoduleType } from '../../domain/finding.ts';
import { isoDate } from '../../dicom/dates.ts';
import { html, renderDocument, type Html } from './html.ts';

/** One analysis as the home page lists it; the route fills it from the database. */
export interface HomeRow {
  readonly analysisId: string;
  readonly status: AnalysisStatus;
  readonly studyInstanceUid: string;
  readonly patientId?: string;
  readonly studyDate?: string;
  readonly studyDescription?: string;
  /** When the analysis was created. */
  readonly createdAt: Date;
  /** Nodules found; known once the analysis has succeeded. */
  readonly noduleCount?: number;
  /** The largest nodule by mean diameter. */
  readonly largest?: {
    readonly meanDiameterMm: number;
    readonly type: NoduleType;
    readonly lungRads?: LungRadsCategory;
  };
  /** Why a failed or skipped analysis stopped, in words. */
  readonly reason?: string;
  /** The exam's Lung-RADS category (latest report version). */
  readonly examCategory?: LungRadsCategory;
  /** unreviewed | in-review | reviewed */
  readonly reviewState?: string;
}

/** How the model does at this site, per ISO week and model version (review/site-performance.ts). */
export interface SiteFigureRow {
  readonly week: string;
  readonly modelVersion: string;
  readonly analysed: number;
  readonly reviewedShare: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly added: number;
  readonly falsePositivesPerScan?: number;
}

/** While something is queued or running, the page reloads itself this often (seconds). */
export const homeRefreshSeconds = 15;

/** Where the viewer opens a study (OHIF's longitudinal mode under /viewer/). */
export function viewerUrl(studyInstanceUid: string): string {
  return `/viewer/viewer?StudyInstanceUIDs=${encodeURIComponent(studyInstanceUid)}`;
}

/** The reading room's start page: recent analyses, newest first as given, each linked to the viewer. */
export function renderHomePage(analyses: readonly HomeRow[], site: readonly SiteFigureRow[] = []): string {
  const inFlight = analyses.some((row) => row.status === 'queued' || row.status === 'running');
  return renderDocument({
    title: 'Lungbridge: reading room',
    refreshSeconds: inFlight ? homeRefreshSeconds : undefined,
    body: html`<header>
  <h1>Lungbridge reading room</h1>
  <form method="post" action="/logout"><button type="submit">Log out</button></form>
</header>
<main>
${
  analyses.length === 0
    ? html`<p class="muted">No analyses yet. Studies that match the routing rules are analysed when Orthanc has them.</p>`
    : html`<table>
  <thead><tr><th>Status</th><th>Study</th><th>Nodules</th><th>Largest</th><th>Lung-RADS</th><th>Review</th><th>Created</th><th></th></tr></thead>
  <tbody>
${analyses.map(renderRow)}
  </tbody>
</table>`
}
${renderSiteFigures(site)}
</main>`,
  });
}

function renderRow(row: HomeRow): Html {
  return html`    <tr data-analysis-id="${row.analysisId}">
      <td><span class="status status-${row.status}">${row.status}</span>${
        row.reason ? html`<div class="reason">${row.reason}</div>` : ''
      }</td>
      <td>${renderStudy(row)}</td>
      <td>${row.noduleCount ?? html`<span class="muted">–</span>`}</td>
      <td>${renderLargest(row)}</td>
      <td>${row.examCategory ?? html`<span class="muted">–</span>`}</td>
      <td>${row.reviewState ? html`<span class="review review-${row.reviewState}">${row.reviewState}</span>` : ''}</td>
      <td><time datetime="${row.createdAt.toISOString()}">${formatTimestamp(row.createdAt)}</time></td>
      <td><a href="${viewerUrl(row.studyInstanceUid)}">Open in viewer</a></td>
    </tr>
`;
}

/** Reviewed findings per week and model version: drift shows here before a reader complains. */
function renderSiteFigures(site: readonly SiteFigureRow[]): Html | string {
  if (site.length === 0) return '';
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  return html`<h2>How the model does at this site</h2>
<table class="site">
  <thead><tr><th>Week</th><th>Model</th><th>Analysed</th><th>Reviewed</th><th>Accepted</th><th>Rejected</th><th>Added by readers</th><th>False positives / scan</th></tr></thead>
  <tbody>
${site.map((r) => html`    <tr><td>${r.week}</td><td>${r.modelVersion}</td><td>${r.analysed}</td><td>${percent(r.reviewedShare)}</td><td>${r.accepted}</td><td>${r.rejected}</td><td>${r.added}</td><td>${r.falsePositivesPerScan === undefined ? '–' : r.falsePositivesPerScan.toFixed(2)}</td></tr>
`)}
  </tbody>
</table>`;
}

function renderStudy(row: HomeRow): Html {
  const details = [row.patientId, isoDate(row.studyDate) ?? row.studyDate, row.studyDescription].filter(Boolean).join(' · ');
  return html`${details ? html`<div>${details}</div>` : ''}<code>${row.studyInstanceUid}</code>`;
}

function renderLargest(row: HomeRow): Html | string {
  if (!row.largest) return row.noduleCount === 0 ? 'none' : '';
  const { meanDiameterMm, type, lungRads } = row.largest;
  return html`${meanDiameterMm.toFixed(1)} mm ${type}${
    lungRads ? html` <span class="muted">(Lung-RADS ${lungRads})</span>` : ''
  }`;
}

/** UTC, to the minute: the server does not know the reader's time zone. */
function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
