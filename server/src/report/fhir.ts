/**
 * The lung-screening report as FHIR R4 (4.0.1): a `collection` Bundle holding one
 * DiagnosticReport, one Observation for the exam's Lung-RADS category, one Observation per nodule
 * (measurements, Lung-RADS, Brock and change as components) and the Device (the model) that made
 * them. Entries reference each other by `urn:uuid:` full URLs, so the Bundle stands alone and a
 * FHIR server can rewrite the references when it is posted as a transaction.
 *
 * Codes: LOINC 24627-2 "CT Chest" for the report; SNOMED CT 27925004 "Nodule", 103339001 "Long
 * axis", 103340004 "Short axis", 81827009 "Diameter", 118565006 "Volume" (the codes DICOM SR TID
 * 1500 measurements use), 3341006 / 44029006 "Right / Left lung structure"; UCUM units. No LOINC
 * code for a Lung-RADS category is used (none this service can vouch for), so the Lung-RADS,
 * Brock and change concepts are CodeableConcepts with text only, which FHIR allows.
 */
import type { LungScreeningReport, ReportNodule } from './build-report.ts';

export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}
export interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}
export interface Quantity {
  readonly value: number;
  readonly unit: string;
  readonly system: 'http://unitsofmeasure.org';
  readonly code: string;
}
export interface Reference {
  readonly reference?: string;
  readonly identifier?: { readonly system: string; readonly value: string };
  readonly display?: string;
}

export interface ObservationComponent {
  readonly code: CodeableConcept;
  readonly valueQuantity?: Quantity;
  readonly valueString?: string;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly dataAbsentReason?: CodeableConcept;
}

export interface Observation {
  readonly resourceType: 'Observation';
  readonly status: 'preliminary';
  readonly category: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject?: Reference;
  readonly issued: string;
  readonly device: Reference;
  readonly bodySite?: CodeableConcept;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly component?: readonly ObservationComponent[];
  readonly note?: readonly { readonly text: string }[];
}

export interface DiagnosticReport {
  readonly resourceType: 'DiagnosticReport';
  readonly identifier: readonly { readonly value: string }[];
  readonly status: 'preliminary';
  readonly category: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject?: Reference;
  readonly effectiveDateTime?: string;
  readonly issued: string;
  readonly imagingStudy: readonly Reference[];
  readonly result: readonly Reference[];
  readonly conclusion: string;
}

export interface Device {
  readonly resourceType: 'Device';
  readonly deviceName: readonly { readonly name: string; readonly type: 'model-name' }[];
  readonly version: readonly { readonly value: string }[];
  readonly note: readonly { readonly text: string }[];
}

export type BundleResource = DiagnosticReport | Observation | Device;

export interface Bundle {
  readonly resourceType: 'Bundle';
  readonly type: 'collection';
  readonly timestamp: string;
  readonly entry: readonly { readonly fullUrl: string; readonly resource: BundleResource }[];
}

export interface FhirIds {
  /** A new UUID (RFC 4122) per call; injected so the rendering stays pure and testable. */
  readonly newUuid: () => string;
  /** The patient, e.g. `{ reference: 'Patient/123' }`; left out where the caller has none. */
  readonly subject?: Reference;
}

const snomed = 'http://snomed.info/sct';
const loinc = 'http://loinc.org';
const ucum = 'http://unitsofmeasure.org';

const codes = {
  ctChest: { system: loinc, code: '24627-2', display: 'CT Chest' },
  radiology: { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
  imaging: { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging', display: 'Imaging' },
  nodule: { system: snomed, code: '27925004', display: 'Nodule' },
  longAxis: { system: snomed, code: '103339001', display: 'Long axis' },
  shortAxis: { system: snomed, code: '103340004', display: 'Short axis' },
  diameter: { system: snomed, code: '81827009', display: 'Diameter' },
  volume: { system: snomed, code: '118565006', display: 'Volume' },
  rightLung: { system: snomed, code: '3341006', display: 'Right lung structure' },
  leftLung: { system: snomed, code: '44029006', display: 'Left lung structure' },
  notPerformed: { system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed', display: 'Not Performed' },
} as const satisfies Record<string, Coding>;

const millimetres = (value: number): Quantity => ({ value, unit: 'mm', system: ucum, code: 'mm' });
const text = (value: string): CodeableConcept => ({ text: value });

function quantityComponent(coding: Coding, label: string, value: Quantity): ObservationComponent {
  return { code: { coding: [coding], text: label }, valueQuantity: value };
}

function brockComponent(nodule: ReportNodule): ObservationComponent[] {
  const { brock } = nodule;
  const percent = (p: number): Quantity => ({ value: Math.round(p * 1000) / 10, unit: '%', system: ucum, code: '%' });
  const label = `${brock.model}: probability of malignancy`;
  if (brock.probability === undefined) {
    return [{ code: text(label), dataAbsentReason: { coding: [codes.notPerformed], text: `missing ${brock.missingInputs.join(', ')}` } }];
  }
  const components: ObservationComponent[] = [{ code: text(label), valueQuantity: percent(brock.probability) }];
  if (brock.probabilityIfUnknownPresent !== undefined) {
    components.push({
      code: text(`${label}, with the unknown inputs (${brock.missingInputs.join(', ')}) present`),
      valueQuantity: percent(brock.probabilityIfUnknownPresent),
    });
  }
  return components;
}

function noduleObservation(nodule: ReportNodule, report: LungScreeningReport, ids: FhirIds, deviceUrl: string): Observation {
  const { size, location } = nodule;
  const components: ObservationComponent[] = [
    quantityComponent(codes.longAxis, 'Long axis', millimetres(size.longAxisMm)),
    quantityComponent(codes.shortAxis, 'Short axis', millimetres(size.shortAxisMm)),
    quantityComponent(codes.diameter, 'Mean diameter (Lung-RADS v2022: mean of long and short axis)', millimetres(size.meanDiameterMm)),
    quantityComponent(codes.volume, 'Volume', { value: size.volumeMm3, unit: 'mm3', system: ucum, code: 'mm3' }),
  ];
  if (size.solidComponentMm !== undefined) {
    components.push({ code: text('Solid component mean diameter'), valueQuantity: millimetres(size.solidComponentMm) });
  }
  components.push(
    { code: text('Nodule type'), valueString: nodule.type },
    { code: text('Lung-RADS v2022 category'), valueCodeableConcept: text(nodule.lungRads.category) },
    ...brockComponent(nodule),
  );
  if (nodule.change) components.push({ code: text('Change since the prior exam'), valueString: nodule.change.status });
  const notes = [`Lung-RADS: ${nodule.lungRads.rule}`];
  if (nodule.brock.missingInputs.length > 0) notes.push(`Brock inputs unknown: ${nodule.brock.missingInputs.join(', ')}`);
  return {
    resourceType: 'Observation',
    status: 'preliminary',
    category: [{ coding: [codes.imaging] }],
    code: { coding: [codes.nodule], text: `Lung nodule ${nodule.index}` },
    ...(ids.subject ? { subject: ids.subject } : {}),
    issued: report.analysis.performedAt,
    device: { reference: deviceUrl },
    bodySite: {
      coding: [location.laterality === 'right' ? codes.rightLung : codes.leftLung],
      text: `${location.laterality} lung, ${location.zone} zone${location.juxtapleural ? ', juxtapleural' : ''}`,
    },
    component: components,
    note: notes.map((t) => ({ text: t })),
  };
}

function examObservation(report: LungScreeningReport, ids: FhirIds, deviceUrl: string): Observation {
  const { lungRads } = report.exam;
  return {
    resourceType: 'Observation',
    status: 'preliminary',
    category: [{ coding: [codes.imaging] }],
    code: text('Lung-RADS v2022 assessment category (exam)'),
    ...(ids.subject ? { subject: ids.subject } : {}),
    issued: report.analysis.performedAt,
    device: { reference: deviceUrl },
    valueCodeableConcept: text(lungRads.category),
    note: [{ text: lungRads.rule }, { text: `Management: ${lungRads.management}` }, ...(report.notes ?? []).map((note) => ({ text: note }))],
  };
}

/** The report as a FHIR R4 collection Bundle; the DiagnosticReport is the first entry. */
export function toFhirDiagnosticReport(report: LungScreeningReport, ids: FhirIds): Bundle {
  const url = () => `urn:uuid:${ids.newUuid()}`;
  const deviceUrl = url();
  const observations = [
    { fullUrl: url(), resource: examObservation(report, ids, deviceUrl) },
    ...report.nodules.map((n) => ({ fullUrl: url(), resource: noduleObservation(n, report, ids, deviceUrl) })),
  ];
  const { lungRads } = report.exam;
  const diagnosticReport: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    identifier: [{ value: report.analysis.id }],
    status: 'preliminary',
    category: [{ coding: [codes.radiology] }],
    code: { coding: [codes.ctChest], text: 'Lung cancer screening CT: automated nodule analysis' },
    ...(ids.subject ? { subject: ids.subject } : {}),
    ...(report.study.studyDate ? { effectiveDateTime: report.study.studyDate } : {}),
    issued: report.analysis.performedAt,
    imagingStudy: [{ identifier: { system: 'urn:dicom:uid', value: `urn:oid:${report.study.studyInstanceUid}` } }],
    result: observations.map((o) => ({ reference: o.fullUrl })),
    conclusion:
      `Lung-RADS v2022 category ${lungRads.category}: ${lungRads.rule}. Management: ${lungRads.management}. ` +
      `${report.nodules.length} nodule(s). ${report.disclaimer}`,
  };
  const device: Device = {
    resourceType: 'Device',
    deviceName: [{ name: report.analysis.model.name, type: 'model-name' }],
    version: [{ value: report.analysis.model.version }],
    note: [{ text: report.disclaimer }],
  };
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: report.analysis.performedAt,
    entry: [{ fullUrl: url(), resource: diagnosticReport }, ...observations, { fullUrl: deviceUrl, resource: device }],
  };
}
