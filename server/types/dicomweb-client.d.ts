/** dicomweb-client 0.11 ships no types; only what Lungbridge uses. */
declare module 'dicomweb-client' {
  export interface DicomJsonAttribute { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }
  export type DicomJson = Record<string, DicomJsonAttribute>;
  export interface RequestOptions { progressCallback?: (event: unknown) => void }
  export interface DICOMwebClientOptions {
    url: string;
    headers?: Record<string, string>;
    requestHooks?: Array<(request: XMLHttpRequest, metadata: { url: string; method: string }) => XMLHttpRequest>;
    errorInterceptor?: (error: Error & { status?: number }) => void;
    verbose?: boolean;
  }
  export class DICOMwebClient {
    constructor(options: DICOMwebClientOptions);
    searchForStudies(options?: { queryParams?: Record<string, string | number | boolean> }): Promise<DicomJson[]>;
    searchForSeries(options?: { studyInstanceUID?: string; queryParams?: Record<string, string | number | boolean> }): Promise<DicomJson[]>;
    searchForInstances(options?: { studyInstanceUID?: string; seriesInstanceUID?: string; queryParams?: Record<string, string | number | boolean> }): Promise<DicomJson[]>;
    retrieveSeriesMetadata(options: { studyInstanceUID: string; seriesInstanceUID: string }): Promise<DicomJson[]>;
    storeInstances(options: { datasets: ArrayBuffer[]; studyInstanceUID?: string; request?: RequestOptions }): Promise<string>;
  }
  export const api: { DICOMwebClient: typeof DICOMwebClient };
}
declare module 'xhr2' {
  const XMLHttpRequest: typeof globalThis.XMLHttpRequest;
  export default XMLHttpRequest;
}
