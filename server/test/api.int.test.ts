import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyses } from '../src/db/schema.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { phantomStudy } from './fixtures.ts';

/** The REST API against a real Orthanc and PostgreSQL: auth, validation, queue semantics. */
describe('REST API', () => {
  let stack: TestStack;
  const study = phantomStudy({ seed: 101, slices: 40 });

  beforeAll(async () => {
    // Routing off: these tests drive the queue through the API alone.
    stack = await startTestStack({ env: { LUNGBRIDGE_AUTO_ROUTE: 'false' } });
    const stored = await stack.pacs.store(study.studyInstanceUid, study.instances);
    expect(stored.failed).toEqual([]);
  });
  afterAll(async () => { await stack?.stop(); });

  it('answers /health without a key, reporting database and Orthanc', async () => {
    const res = await stack.api('/health', { key: null });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', database: { ok: true, detail: 'postgres' }, orthanc: { ok: true } });
    expect(body.orthanc.detail).toMatch(/^Orthanc 1\./);
    // Idle connections are kept longer than a reverse proxy's or a client's own (no reset races).
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  it.each([
    ['no key', null, 'Authorization: Bearer <API key> is required'],
    ['a wrong key', 'not-the-key-0000000000', 'The API key or session is not valid'],
  ])('refuses %s with 401 and a JSON error', async (_label, key, detail) => {
    for (const path of ['/api/v1/analyses', '/metrics', '/api/openapi.json', `/dicom-web/studies/${study.studyInstanceUid}/series`]) {
      const res = await stack.api(path, { key });
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized', detail });
    }
  });

  it('sets security headers and a request id', async () => {
    const res = await stack.api('/health', { key: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
  });

  it('rejects malformed JSON, unknown fields, bad UIDs and oversized bodies', async () => {
    const malformed = await stack.api('/api/v1/analyses', { method: 'POST', body: '{"studyInstanceUid": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toBe('malformed_json');
    const extra = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: '1.2.3', colour: 'red' } });
    expect(extra.status).toBe(400);
    const badUid = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: 'not a uid' } });
    expect(badUid.status).toBe(400);
    expect((await badUid.json()).detail).toMatch(/studyInstanceUid: must be a DICOM UID/);
    const huge = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: '1.2', pad: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    // Chunked, so no Content-Length gives the size away: still a 413, not a reset connection.
    const chunk = new TextEncoder().encode(`{"studyInstanceUid": "1.2", "pad": "${'x'.repeat(256 * 1024)}`);
    const stream = new ReadableStream({
      start(controller) {
        for (let n = 0; n < 8; n++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const chunked = await stack.api('/api/v1/analyses', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error).toBe('payload_too_large');
  });

  it('answers 404 for a study the PACS does not have', async () => {
    const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: '1.2.826.0.1.3680043.99999.1' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
    expect((await stack.api('/api/v1/analyses/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await stack.api('/api/v1/analyses/nonsense')).status).toBe(404);
  });

  it('queues idempotently, runs, lists, re-runs with force, and audits the writes', async () => {
    await stack.service.workers.stop();
    const first = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: study.studyInstanceUid } });
    expect(first.status).toBe(202);
    const queued = await first.json();
    expect(queued).toMatchObject({ status: 'queued', studyInstanceUid: study.studyInstanceUid, trigger: 'api' });
    const again = await (await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: study.studyInstanceUid } })).json();
    expect(again.id).toBe(queued.id);

    // Cancel and retry while no worker runs, then let workers take it.
    const cancelled = await stack.api(`/api/v1/analyses/${queued.id}`, { method: 'DELETE' });
    expect((await cancelled.json()).status).toBe('cancelled');
    expect((await stack.api(`/api/v1/analyses/${queued.id}`, { method: 'DELETE' })).status).toBe(409);
    const retried = await stack.api(`/api/v1/analyses/${queued.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    stack.service.workers.start();

    const done = await eventually(async () => {
      const body = await (await stack.api(`/api/v1/analyses/${queued.id}`)).json();
      return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
    }, 'the analysis to finish');
    expect(done.status).toBe('succeeded');
    expect(done.series).toMatchObject({ seriesInstanceUid: study.seriesInstanceUid, sliceCount: 40, spacingMm: [1.4, 1.4, 2.5] });
    expect(done.model).toMatchObject({ name: expect.any(String), version: expect.any(String) });
    for (const stage of ['fetch', 'volume', 'lungs', 'detect', 'encode', 'store']) expect(done.timings[stage], stage).toBeGreaterThanOrEqual(0);
    expect(done.viewerUrl).toBe(`${stack.service.url}/viewer/viewer?StudyInstanceUIDs=${study.studyInstanceUid}`);
    expect(done.outputs.srSopInstanceUid).toMatch(/^2\.25\./);

    const findings = await (await stack.api(`/api/v1/studies/${study.studyInstanceUid}/findings`)).json();
    expect(findings.analysisId).toBe(done.id);
    expect(findings.findings.length).toBe(done.findingCount);
    for (const f of findings.findings) {
      expect(f).toMatchObject({ longAxis: { lengthMm: expect.any(Number) }, volumeMm3: expect.any(Number), type: expect.stringMatching(/solid|part-solid|ground-glass/) });
    }

    // Without force a finished study is not run again; with force it is.
    const repeat = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: study.studyInstanceUid } });
    expect(repeat.status).toBe(200);
    expect((await repeat.json()).id).toBe(done.id);
    const forced = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: study.studyInstanceUid, force: true } });
    expect(forced.status).toBe(202);
    expect((await forced.json()).id).not.toBe(done.id);

    const listed = await (await stack.api(`/api/v1/analyses?studyInstanceUid=${study.studyInstanceUid}&limit=1`)).json();
    expect(listed.items).toHaveLength(1);
    expect(listed.nextCursor).toEqual(expect.any(String));
    const page2 = await (await stack.api(`/api/v1/analyses?studyInstanceUid=${study.studyInstanceUid}&limit=1&cursor=${listed.nextCursor}`)).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].id).not.toBe(listed.items[0].id);
    expect((await stack.api('/api/v1/analyses?status=bogus')).status).toBe(400);
    const forged = Buffer.from(`${new Date().toISOString()}|not-a-uuid`).toString('base64url');
    expect((await stack.api(`/api/v1/analyses?cursor=${forged}`)).status).toBe(400);

    const audit = await stack.service.database.db.query.auditLog.findMany();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['analysis.create', 'analysis.cancel', 'analysis.retry']));
    expect(audit.every((a) => a.actor.startsWith('api-key:') && !a.actor.includes(stack.apiKey))).toBe(true);
  });

  it('pages through analyses created in the same instant without skipping any', async () => {
    // One INSERT: every row gets the same now(), as analyses queued in one transaction do.
    const studyInstanceUid = '1.2.826.0.1.3680043.99999.77';
    const rows = await stack.service.database.db.insert(analyses)
      .values(Array.from({ length: 5 }, () => ({ studyInstanceUid, status: 'skipped' as const, trigger: 'api' }))).returning();
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBe(1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await (await stack.api(`/api/v1/analyses?studyInstanceUid=${studyInstanceUid}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('answers a method a route does not have with 405 and a JSON error', async () => {
    const res = await stack.api('/api/v1/analyses', { method: 'PUT', json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toMatch(/POST/);
    expect(await res.json()).toMatchObject({ error: 'method_not_allowed' });
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await (await stack.api('/metrics')).text();
    expect(metrics).toMatch(/^lungbridge_queue_depth\{status="queued"\} \d+$/m);
    expect(metrics).toMatch(/^lungbridge_analyses\{status="succeeded"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^lungbridge_stage_duration_seconds_count\{stage="fetch"\} [1-9]/m);
    const openapi = await (await stack.api('/api/openapi.json')).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/analyses', '/api/v1/analyses/{id}', '/health', '/api/v1/findings/{id}', '/api/v1/analyses/{id}/report']));
    // Request bodies come from the zod schemas that validate them.
    expect(openapi.paths['/api/v1/analyses'].post.requestBody.content['application/json'].schema.required).toEqual(['studyInstanceUid']);
  });

  it('proxies DICOMweb: QIDO, streamed WADO-RS frames, and STOW-RS answering with URLs that point at Lungbridge', async () => {
    const series = await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series?includefield=SeriesDescription`, { headers: { accept: 'application/dicom+json' } });
    expect(series.status).toBe(200);
    expect(await series.text()).toContain(study.seriesInstanceUid);
    const metadata = await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUid}/metadata`);
    expect(await metadata.json()).toHaveLength(40);
    const frames = await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUid}/instances/${study.datasets[0].SOPInstanceUID}/frames/1`, { headers: { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
    expect(frames.status).toBe(200);
    expect(frames.headers.get('content-type')).toMatch(/multipart\/related/);
    expect((await frames.arrayBuffer()).byteLength).toBeGreaterThan(256 * 256 * 2);

    const extra = phantomStudy({ seed: 102, slices: 2, nodules: [] });
    const boundary = 'lungbridge-test-boundary';
    const body = Buffer.concat([
      ...extra.instances.flatMap((bytes) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), Buffer.from(bytes), Buffer.from('\r\n')]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const stow = await stack.api('/dicom-web/studies', { method: 'POST', body, headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' } });
    expect(stow.status).toBe(200);
    const answer = await stow.text();
    expect(answer).toContain(String(extra.datasets[1].SOPInstanceUID));
    expect(answer).toContain(`${stack.service.url}/dicom-web/studies/${extra.studyInstanceUid}`);
    expect(answer).not.toContain(stack.orthanc.url);
    expect(await stack.pacs.studyExists(extra.studyInstanceUid)).toBe(true);
  });

  it('keeps the DICOMweb proxy to DICOMweb: no other methods, no path out of its root into Orthanc\'s REST API', async () => {
    const raw = (method: string, rawPath: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      // node:http sends the path as written (fetch would resolve the dot segments first).
      const { hostname, port } = new URL(stack.service.url);
      const req = httpRequest({ hostname, port, path: rawPath, method, headers: { authorization: `Bearer ${stack.apiKey}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject).end();
    });
    for (const rawPath of ['/dicom-web/../system', '/dicom-web/studies/../../patients', '/dicom-web/%2e%2e/system', '/dicom-web/studies\\..\\..\\system']) {
      const res = await raw('GET', rawPath);
      expect(res.status, rawPath).toBe(400);
      expect(JSON.parse(res.body), rawPath).toMatchObject({ error: 'invalid_path' });
    }
    const del = await raw('DELETE', `/dicom-web/studies/${study.studyInstanceUid}`);
    expect(del.status).toBe(405);
    expect(JSON.parse(del.body)).toMatchObject({ error: 'method_not_allowed' });
    expect(await stack.pacs.studyExists(study.studyInstanceUid)).toBe(true);
  });
});
