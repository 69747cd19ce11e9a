/**
 * The modules every Lungbridge output (SEG, SR) shares: Patient and General Study copied from the
 * source CT, a new series, General Equipment, SOP Common.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { ModelInfo, VolumeSource } from '../domain/index.ts';
import { requireLo, requireUid } from './errors.ts';

export const manufacturer = 'Lungbridge';

/** Patient (C.7.1.1), General Study (C.7.2.1) and Patient Study (C.7.2.2) attributes taken from the source. */
const copiedAttributes = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'OtherPatientIDsSequence',
  'PatientAge', 'PatientSize', 'PatientWeight', 'EthnicGroup', 'PatientComments',
  'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber', 'StudyDescription',
  'IssuerOfAccessionNumberSequence', 'ProcedureCodeSequence',
] as const;

/** Type 2 attributes of those modules: present, empty when the source lacks them. */
const requiredEmpty = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime',
  'ReferringPhysicianName', 'StudyID', 'AccessionNumber'] as const;

export function patientStudyModules(source: Pick<VolumeSource, 'studyInstanceUid' | 'patientStudy'>): NaturalizedDataset {
  const out: NaturalizedDataset = {};
  for (const name of requiredEmpty) out[name] = '';
  for (const name of copiedAttributes) {
    const value = source.patientStudy[name];
    if (value !== undefined && value !== null) out[name] = value;
  }
  out.StudyInstanceUID = requireUid('source.studyInstanceUid', source.studyInstanceUid);
  return out;
}

export interface NewInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modality: 'SEG' | 'SR' | 'DOC';
  readonly seriesNumber: number;
  readonly seriesDescription: string;
  readonly model?: ModelInfo;
  readonly now: Date;
  /** The source's TimezoneOffsetFromUTC (0008,0201), if it has one. */
  readonly timezoneOffsetFromUtc?: unknown;
}

/** General/SR Document Series, General Equipment, SOP Common, and the instance's content date/time. */
export function newInstanceModules(instance: NewInstance): NaturalizedDataset {
  const offset = utcOffset(instance.timezoneOffsetFromUtc);
  const { date, time } = dicomDateTime(instance.now, offset?.minutes);
  const softwareVersions = instance.model
    ? [requireLo('model.version', `${instance.model.name} ${instance.model.version}`)]
    : [manufacturer];
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: instance.sopClassUid,
    SOPInstanceUID: requireUid('sopInstanceUid', instance.sopInstanceUid),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // It applies to every date and time of the instance, the study's copied from the source too.
    ...(offset ? { TimezoneOffsetFromUTC: offset.text } : {}),
    Modality: instance.modality,
    SeriesInstanceUID: requireUid('seriesInstanceUid', instance.seriesInstanceUid),
    SeriesNumber: instance.seriesNumber,
    SeriesDescription: requireLo('seriesDescription', instance.seriesDescription),
    SeriesDate: date,
    SeriesTime: time,
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    Manufacturer: manufacturer,
    ManufacturerModelName: instance.model ? requireLo('model.name', instance.model.name) : manufacturer,
    SoftwareVersions: softwareVersions,
  };
}

/**
 * DA and TM (PS3.5 6.2) as the source study writes its own: at its TimezoneOffsetFromUTC when it
 * has one (which the output then carries), else in local time, as the modality's StudyDate and
 * StudyTime are (Lungbridge runs beside the hospital's PACS; set TZ where its zone differs).
 */
function dicomDateTime(now: Date, utcOffsetMinutes = -now.getTimezoneOffset()): { date: string; time: string } {
  const iso = new Date(now.getTime() + utcOffsetMinutes * 60_000).toISOString();
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/** A TimezoneOffsetFromUTC value (&ZZXX: +0100, -0500) and its minutes, or undefined for anything else. */
function utcOffset(value: unknown): { text: string; minutes: number } | undefined {
  const text = String(value ?? '').trim();
  const match = /^([+-])(0\d|1[0-4])([0-5]\d)$/.exec(text);
  return match ? { text, minutes: (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) } : undefined;
}
