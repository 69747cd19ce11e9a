import type { DicomJson } from 'dicomweb-client';

/** Tags Lungbridge reads from DICOM JSON (PS3.18 F.2), by keyword. */
export const tags = {
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  ImageType: '00080008',
  Manufacturer: '00080070',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  SeriesDescription: '0008103E',
  BodyPartExamined: '00180015',
  SliceThickness: '00180050',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  NumberOfSeriesRelatedInstances: '00201209',
  PatientID: '00100020',
  StudyDate: '00080020',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
} as const;

export type TagKeyword = keyof typeof tags;

export function values(json: DicomJson, keyword: TagKeyword): unknown[] {
  return json[tags[keyword]]?.Value ?? [];
}

export function stringValue(json: DicomJson, keyword: TagKeyword): string | undefined {
  const [first] = values(json, keyword);
  return first === undefined || first === null ? undefined : String(first);
}

export function numberValue(json: DicomJson, keyword: TagKeyword): number | undefined {
  const [first] = values(json, keyword);
  const n = Number(first);
  return first === undefined || !Number.isFinite(n) ? undefined : n;
}

export function numberValues(json: DicomJson, keyword: TagKeyword): number[] {
  return values(json, keyword).map(Number);
}
