import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { api, type DicomJson } from 'dicomweb-client';
import XMLHttpRequest from 'xhr2';
import { PipelineError } from '../errors/pipeline-error.ts';
import { numberValue, numberValues, stringValue, values } from './dicom-json.ts';
import { multipartBoundary, readMultipart } from './multipart.ts';

// dicomweb-client speaks XMLHttpRequest, which Node lacks.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= XMLHttpRequest;

export interface PacsConnection {
  /** DICOMweb root, e.g. http://orthanc:8042/dicom-web */
  readonly dicomWebUrl: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
}

export interface SeriesInfo {
  readonly seriesInstanceUid: string;
  readonly modality: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
  readonly bodyPartExamined?: string;
  readonly instanceCount: number;
}

/** Per-instance attributes from WADO-RS metadata that series selection and routing need. */
export interface InstanceGeometry {
  readonly sopInstanceUid: string;
  readonly imageType: readonly string[];
  readonly sliceThickness?: number;
  readonly imagePositionPatient?: readonly number[];
  readonly imageOrientationPatient?: readonly number[];
}

/** A study as QIDO-RS lists it, with what finding a patient's earlier CT needs. */
export interface StudyInfo {
  readonly studyInstanceUid: string;
  readonly patientId?: string;
  /** DICOM DA, YYYYMMDD. */
  readonly studyDate?: string;
}

export interface StoreResult {
  readonly stored: readonly string[];
  readonly failed: readonly { sopInstanceUid: string; reason: number | undefined }[];
}

/** Explicit VR Little Endian: asking for it makes the PACS transcode compressed storage. */
const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

function classify(status: number | undefined, what: string, cause?: unknown): PipelineError {
  if (!status || status >= 500 || status === 408 || status === 429) {
    return new PipelineError('pacs-unavailable', `PACS unavailable during ${what} (${status ? `HTTP ${status}` : 'no response'})`, true, { cause });
  }
  if (status === 404) return new PipelineError('study-not-found', `PACS has no such resource (${what}: HTTP 404)`, false, { cause });
  return new PipelineError('pacs-rejected', `PACS rejected ${what} (HTTP ${status})`, false, { cause });
}

/**
 * QIDO-RS, WADO-RS and STOW-RS against the PACS. QIDO and STOW go through dicomweb-client;
 * series retrieval streams the multipart body with fetch so a whole series is never one buffer.
 */
export class PacsClient {
  private readonly client: InstanceType<typeof api.DICOMwebClient>;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(private readonly connection: PacsConnection) {
    this.headers = connection.username
      ? { Authorization: `Basic ${Buffer.from(`${connection.username}:${connection.password ?? ''}`).toString('base64')}` }
      : {};
    this.timeoutMs = connection.timeoutMs ?? 60_000;
    this.client = new api.DICOMwebClient({
      url: connection.dicomWebUrl.replace(/\/$/, ''),
      headers: this.headers,
      verbose: false,
      requestHooks: [(request, _metadata) => { request.timeout = this.timeoutMs; return request; }],
    });
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      throw classify((error as { status?: number }).status, what, error);
    }
  }

  async studyExists(studyInstanceUid: string): Promise<boolean> {
    const found = await this.call('study search', () =>
      this.client.searchForStudies({ queryParams: { StudyInstanceUID: studyInstanceUid } }));
    return found.length > 0;
  }

  /** Every study of one patient (exact PatientID match: a PatientID with * or ? is not searched). */
  async searchStudiesOfPatient(patientId: string): Promise<StudyInfo[]> {
    if (/[*?\\]/.test(patientId)) return [];
    const found = await this.call('study search', () =>
      this.client.searchForStudies({ queryParams: { PatientID: patientId, includefield: 'StudyDate' } }));
    return found.map((json: DicomJson) => ({
      studyInstanceUid: stringValue(json, 'StudyInstanceUID') ?? '',
      patientId: stringValue(json, 'PatientID'),
      studyDate: stringValue(json, 'StudyDate'),
    })).filter((s: StudyInfo) => s.studyInstanceUid && s.patientId === patientId);
  }

  async instanceExists(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): Promise<boolean> {
    const found = await this.call('instance search', () => this.client.searchForInstances({
      studyInstanceUID: studyInstanceUid,
      seriesInstanceUID: seriesInstanceUid,
      queryParams: { SOPInstanceUID: sopInstanceUid },
    }));
    return found.some((json: DicomJson) => stringValue(json, 'SOPInstanceUID') === sopInstanceUid);
  }

  async searchSeries(studyInstanceUid: string): Promise<SeriesInfo[]> {
    const found = await this.call('series search', () => this.client.searchForSeries({
      studyInstanceUID: studyInstanceUid,
      queryParams: { includefield: 'SeriesDescription,BodyPartExamined,NumberOfSeriesRelatedInstances,SeriesNumber' },
    }));
    return found.map((json: DicomJson) => ({
      seriesInstanceUid: stringValue(json, 'SeriesInstanceUID') ?? '',
      modality: stringValue(json, 'Modality') ?? '',
      seriesNumber: numberValue(json, 'SeriesNumber'),
      seriesDescription: stringValue(json, 'SeriesDescription'),
      bodyPartExamined: stringValue(json, 'BodyPartExamined'),
      instanceCount: numberValue(json, 'NumberOfSeriesRelatedInstances') ?? 0,
    }));
  }

  async seriesGeometry(studyInstanceUid: string, seriesInstanceUid: string): Promise<InstanceGeometry[]> {
    const metadata = await this.call('series metadata', () =>
      this.client.retrieveSeriesMetadata({ studyInstanceUID: studyInstanceUid, seriesInstanceUID: seriesInstanceUid }));
    return metadata.map((json: DicomJson) => ({
      sopInstanceUid: stringValue(json, 'SOPInstanceUID') ?? '',
      imageType: values(json, 'ImageType').map(String),
      sliceThickness: numberValue(json, 'SliceThickness'),
      imagePositionPatient: numberValues(json, 'ImagePositionPatient'),
      imageOrientationPatient: numberValues(json, 'ImageOrientationPatient'),
    }));
  }

  /** Streams the instances of a series as Part 10 bytes, one at a time. */
  retrieveSeries(studyInstanceUid: string, seriesInstanceUid: string): AsyncGenerator<Uint8Array> {
    return this.retrieve(`studies/${studyInstanceUid}/series/${seriesInstanceUid}`);
  }

  /** One instance as Part 10 bytes (e.g. a stored SR or SEG). */
  async retrieveInstance(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): Promise<Uint8Array> {
    for await (const part of this.retrieve(`studies/${studyInstanceUid}/series/${seriesInstanceUid}/instances/${sopInstanceUid}`)) return part;
    throw new PipelineError('study-not-found', `PACS returned no instance ${sopInstanceUid}`);
  }

  private async *retrieve(resource: string): AsyncGenerator<Uint8Array> {
    const url = `${this.connection.dicomWebUrl.replace(/\/$/, '')}/${resource}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { ...this.headers, Accept: `multipart/related; type="application/dicom"; transfer-syntax=${explicitVrLittleEndian}` },
        signal: AbortSignal.timeout(this.timeoutMs * 10),
      });
    } catch (error) {
      throw classify(undefined, 'series retrieval', error);
    }
    if (!response.ok || !response.body) throw classify(response.status, 'series retrieval');
    try {
      for await (const part of readMultipart(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>), multipartBoundary(response.headers.get('content-type')))) {
        yield part.body;
      }
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      // A body cut mid-way is the PACS (or the network) going away: worth a retry.
      throw classify(undefined, 'series retrieval', error);
    }
  }

  /**
   * STOW-RS into a study ('' = let the instances name their studies). Orthanc answers 200 even when an instance failed, so the
   * FailedSOPSequence (0008,1198) decides, not the status code.
   */
  async store(studyInstanceUid: string, instances: readonly Uint8Array[]): Promise<StoreResult> {
    const datasets = instances.map((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const raw = await this.call('store', () => this.client.storeInstances(
      studyInstanceUid ? { studyInstanceUID: studyInstanceUid, datasets } : { datasets }));
    return parseStoreResponse(raw);
  }
}

export function parseStoreResponse(raw: unknown): StoreResult {
  const json = (typeof raw === 'string' ? (raw ? JSON.parse(raw) : {}) : raw ?? {}) as DicomJson;
  const sopOf = (item: unknown) => stringValue(item as DicomJson, 'ReferencedSOPInstanceUID') ?? '';
  return {
    stored: values(json, 'ReferencedSOPSequence').map(sopOf),
    failed: values(json, 'FailedSOPSequence').map((item) => ({
      sopInstanceUid: sopOf(item),
      reason: numberValue(item as DicomJson, 'FailureReason'),
    })),
  };
}
