import { describe, expect, it, test } from 'vitest';
import { homeRefreshSeconds, renderHomePage, viewerUrl, type HomeRow } from './home-page.ts';

const study = '1.3.6.1.4.1.14519.5.2.1.6279.6001.298806137288633453246975630178';

const succeeded: HomeRow = {
  analysisId: 'a1',
  status: 'succeeded',
  studyInstanceUid: study,
  patientId: 'LIDC-IDRI-0001',
  studyDate: '20000101',
  createdAt: new Date('2026-11-27T08:30:12Z'),
  noduleCount: 2,
  largest: { meanDiameterMm: 21.04, type: 'part-solid', lungRads: '4B' },
  examCategory: '4B',
  reviewState: 'in-review',
};

/** The cells of the row for `analysisId`, as text without tags. */
function rowCells(page: string, analysisId: string): string[] {
  const row = page.match(new RegExp(`<tr data-analysis-id="${analysisId}">([\\s\\S]*?)</tr>`));
  if (!row) throw new Error(`no row for ${analysisId}`);
  return [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

describe('renderHomePage', () => {
  it('lists status, study, nodule count and the largest nodule, linked into the viewer', () => {
    const page = renderHomePage([succeeded]);
    expect(rowCells(page, 'a1')).toEqual([
      'succeeded',
      `LIDC-IDRI-0001 · 2000-01-01 ${study}`,
      '2',
      '21.0 mm part-solid (Lung-RADS 4B)',
      '4B',
      'in-review',
      '2026-11-27 08:30 UTC',
      'Open in viewer',
    ]);
    expect(page).toContain(`<a href="/viewer/viewer?StudyInstanceUIDs=${study}">`);
  });

  it('shows why a failed analysis stopped', () => {
    const page = renderHomePage([
      { analysisId: 'f1', status: 'failed', studyInstanceUid: '1.2.3', createdAt: new Date(0), reason: 'no usable CT series: slices 7.5 mm thick' },
    ]);
    expect(rowCells(page, 'f1')[0]).toBe('failed no usable CT series: slices 7.5 mm thick');
    expect(rowCells(page, 'f1')[2]).toBe('–');
  });

  it('says "none" when an analysis found no nodule', () => {
    const page = renderHomePage([{ ...succeeded, analysisId: 'n0', noduleCount: 0, largest: undefined }]);
    expect(rowCells(page, 'n0').slice(2, 4)).toEqual(['0', 'none']);
  });

  it('escapes everything that comes from the PACS or the database', () => {
    const page = renderHomePage([
      {
        ...succeeded,
        analysisId: '"><script>x</script>',
        patientId: '<img src=x onerror=alert(1)>',
        studyDescription: `O'Brien & "Sons"`,
        reason: '</td><script>alert(2)</script>',
        studyInstanceUid: '1.2.3&next=<evil>',
      },
    ]);
    expect(page).not.toMatch(/<script>|<img/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('O&#39;Brien &amp; &quot;Sons&quot;');
    expect(page).toContain('href="/viewer/viewer?StudyInstanceUIDs=1.2.3%26next%3D%3Cevil%3E"');
  });

  it('shows the site figures per week and model version, when there are any', () => {
    expect(renderHomePage([succeeded])).not.toContain('How the model does at this site');
    const page = renderHomePage([succeeded], [
      { week: '2026-W48', modelVersion: 'lungbridge-nodule-cnn 1.0.0', analysed: 10, reviewedShare: 0.4, accepted: 7, rejected: 2, added: 1, falsePositivesPerScan: 0.5 },
    ]);
    expect(page).toContain('How the model does at this site');
    expect(page).toMatch(/<td>2026-W48<\/td><td>lungbridge-nodule-cnn 1\.0\.0<\/td><td>10<\/td><td>40 %<\/td><td>7<\/td><td>2<\/td><td>1<\/td><td>0\.50<\/td>/);
  });

  test.each([
    ['queued', true],
    ['running', true],
    ['succeeded', false],
    ['failed', false],
  ] as const)('reloads itself while an analysis is %s: %s', (status, refreshes) => {
    const page = renderHomePage([{ ...succeeded, status }]);
    expect(page.includes(`<meta http-equiv="refresh" content="${homeRefreshSeconds}">`)).toBe(refreshes);
  });

  it('says so when there is nothing yet, and always offers to log out', () => {
    const page = renderHomePage([]);
    expect(page).not.toContain('<table>');
    expect(page).toContain('No analyses yet');
    expect(page).toContain('<form method="post" action="/logout">');
  });
});

it('viewerUrl encodes the UID as a query value', () => {
  expect(viewerUrl('1.2.840.1')).toBe('/viewer/viewer?StudyInstanceUIDs=1.2.840.1');
});
