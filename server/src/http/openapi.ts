import { z } from 'zod';
import { createAnalysisSchema } from './routes/analyses.ts';
import { findingReviewSchema, readerFindingSchema } from './routes/review.ts';

/** A request body described by the zod schema that validates it, so the two cannot drift apart. */
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } });

/** OpenAPI 3.1 description of the REST API, served at /api/openapi.json. */
export function openApiDocument(publicUrl: string) {
  const error = { $ref: '#/components/responses/Error' };
  const uid = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 64 };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const analysisResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Analysis' } } } });
  return {
    openapi: '3.1.0',
    info: { title: 'Lungbridge API', version: '1', description: 'Lung-nodule analyses of chest CT studies in the PACS. Every route but /health needs `Authorization: Bearer <API key>`. Errors are `{ error, detail }` JSON; a method a route does not have is answered 405 with `Allow`; a body over LUNGBRIDGE_MAX_BODY_BYTES 413, one that is not JSON 415.' },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }],
    paths: {
      '/health': { get: { security: [], summary: 'Database and PACS reachability', responses: { 200: { description: 'All reachable' }, 503: { description: 'Degraded' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain exposition format' } } } },
      '/api/v1/analyses': {
        post: {
          summary: 'Queue an analysis of a study (idempotent while one is queued or running)',
          requestBody: jsonBody(createAnalysisSchema),
          responses: { 202: analysisResponse('Queued (or already queued/running)'), 200: analysisResponse('Already analysed; pass force to run again'), 400: error, 401: error, 404: error, 409: { ...error, description: 'Patient inputs the existing analysis of the study was not given: while it is queued or running, or, without force, once it has finished' }, 502: error },
        },
        get: {
          summary: 'List analyses, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] } },
            { name: 'studyInstanceUid', in: 'query', schema: uid },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' },
          ],
          responses: { 200: { description: 'A page of analyses', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Analysis' } }, nextCursor: { type: ['string', 'null'] } } } } } }, 400: error, 401: error },
        },
      },
      '/api/v1/analyses/{id}': {
        get: { summary: 'One analysis with its findings', parameters: [idParam], responses: { 200: analysisResponse('The analysis'), 404: error } },
        delete: { summary: 'Cancel a queued analysis', parameters: [idParam], responses: { 200: analysisResponse('Cancelled'), 404: error, 409: error } },
      },
      '/api/v1/analyses/{id}/retry': { post: { summary: 'Queue a finished analysis again', parameters: [idParam], responses: { 202: analysisResponse('Queued'), 404: error, 409: error } } },
      '/api/v1/analyses/{id}/sr': { get: { summary: 'The stored TID 1500 SR (Part 10)', parameters: [idParam], responses: { 200: { description: 'application/dicom' }, 404: error } } },
      '/api/v1/analyses/{id}/seg': { get: { summary: 'The stored DICOM SEG (Part 10)', parameters: [idParam], responses: { 200: { description: 'application/dicom' }, 404: error } } },
      '/api/v1/analyses/{id}/report': { get: { summary: 'The structured lung-screening report (Lung-RADS v2022, Brock), latest version or ?version=N', parameters: [idParam, { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Report version (default: the latest)' }], responses: { 200: { description: 'application/json: { analysisId, version, origin, issuedBy, issuedAt, outputs, report }' }, 400: error, 404: error } } },
      '/api/v1/analyses/{id}/report.fhir.json': { get: { summary: 'The report as a FHIR R4 collection Bundle (DiagnosticReport, Observations, Device)', parameters: [idParam, { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Report version (default: the latest)' }], responses: { 200: { description: 'application/fhir+json' }, 400: error, 404: error } } },
      '/api/v1/analyses/{id}/report.pdf': { get: { summary: 'The report PDF, read back from the Encapsulated PDF stored in the study', parameters: [idParam, { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Report version (default: the latest)' }], responses: { 200: { description: 'application/pdf' }, 400: error, 404: error, 502: error } } },
      '/api/v1/findings/{id}': { patch: { summary: 'Review a finding: accept, reject or edit (type, size, note); audited, the original kept', parameters: [idParam], requestBody: jsonBody(findingReviewSchema), responses: { 200: { description: 'The finding after the review' }, 400: error, 404: error, 409: error } } },
      '/api/v1/analyses/{id}/findings': { post: { summary: 'Add a nodule the machine missed (centre and diameter, or a line)', parameters: [idParam], requestBody: jsonBody(readerFindingSchema), responses: { 201: { description: 'The added finding' }, 400: error, 404: error, 409: error, 502: error } } },
      '/api/v1/analyses/{id}/review/complete': { post: { summary: 'Complete the review: issue the reviewed category, report, SR and SEG as a new version', parameters: [idParam], responses: { 200: { description: 'The new report version' }, 404: error, 409: error, 502: error } } },
      '/api/v1/site/performance': { get: { summary: 'How the model does at this site: reviewed findings per ISO week and model version', parameters: [{ name: 'weeks', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 104, default: 12 } }], responses: { 200: { description: 'Rows per week and model version' }, 400: error } } },
      '/api/v1/studies/{studyInstanceUid}/findings': { get: { summary: 'Nodules of the latest succeeded analysis of a study', parameters: [{ name: 'studyInstanceUid', in: 'path', required: true, schema: uid }], responses: { 200: { description: 'Findings' }, 400: error } } },
      '/dicom-web/{path}': { get: { summary: 'DICOMweb (QIDO-RS, WADO-RS) proxied to the PACS', parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'As the PACS answers' }, 400: { ...error, description: 'Not a DICOMweb path (a segment other than names, UIDs and frame numbers)' }, 502: error } }, post: { summary: 'STOW-RS proxied to the PACS', parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'As the PACS answers' }, 400: error, 502: error } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from LUNGBRIDGE_API_KEYS, or a session token from /login' } },
      responses: { Error: { description: 'Error', content: { 'application/json': { schema: { type: 'object', required: ['error', 'detail'], properties: { error: { type: 'string' }, detail: { type: 'string' } } } } } } },
      schemas: {
        Analysis: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' }, studyInstanceUid: uid,
            status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] },
            trigger: { type: 'string', enum: ['api', 'auto', 'cli', 'prior'] }, attempts: { type: 'integer' },
            error: { type: ['object', 'null'], properties: { code: { type: 'string' }, reason: { type: 'string' } } },
            skipRule: { type: ['string', 'null'] },
            series: { type: ['object', 'null'], properties: { seriesInstanceUid: uid, sliceCount: { type: 'integer' }, spacingMm: { type: 'array', items: { type: 'number' } }, huRange: { type: 'array', items: { type: 'number' } } } },
            model: { type: ['object', 'null'] }, outputs: { type: ['object', 'null'] }, timings: { type: ['object', 'null'] },
            reviewState: { type: 'string', enum: ['unreviewed', 'in-review', 'reviewed'] }, priorAnalysisId: { type: ['string', 'null'] },
            warnings: { type: 'array', items: { type: 'string' } }, viewerUrl: { type: 'string', format: 'uri' },
            examAssessment: { type: ['object', 'null'], description: 'Exam-level Lung-RADS v2022 of the machine reading' },
            findingCount: { type: 'integer', description: 'In lists and single analyses' },
            createdAt: { type: 'string', format: 'date-time' }, startedAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] },
          },
        },
      },
    },
  };
}
