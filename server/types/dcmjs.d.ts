/**
 * dcmjs 0.52 ships no types. This declares only what Lungbridge uses; extend it as needed.
 * Naturalized datasets are plain objects keyed by DICOM keyword (e.g. `StudyInstanceUID`).
 */
declare module 'dcmjs' {
  export type NaturalizedDataset = Record<string, any>;
  export interface DenaturalizedDataset { [tag: string]: { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string } }

  export interface DicomDictOptions { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }
  export class DicomDict {
    constructor(meta: DenaturalizedDataset);
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: DicomDictOptions): ArrayBuffer;
  }
  export interface ReadOptions { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean; noCopy?: boolean; forceStoreRaw?: boolean }
  export class DicomMessage {
    static readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  }
  export class DicomMetaDictionary {
    static naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
    static denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
    static uid(): string;
    static date(): string;
    static time(): string;
    static dictionary: Record<string, { tag: string; vr: string; name: string; vm: string }>;
    static nameMap: Record<string, { tag: string; vr: string; name: string; vm: string }>;
    static sopClassUIDsByName: Record<string, string>;
  }

  export const data: {
    DicomDict: typeof DicomDict;
    DicomMessage: typeof DicomMessage;
    DicomMetaDictionary: typeof DicomMetaDictionary;
    datasetToBlob(dataset: NaturalizedDataset): Blob;
    datasetToBuffer(dataset: NaturalizedDataset): Buffer;
    datasetToDict(dataset: NaturalizedDataset): DicomDict;
  };
  export const derivations: any;
  export const normalizers: any;
  export const sr: any;
  export const adapters: any;
  export const utilities: any;
  export const log: { setLevel(level: string): void; level?: unknown } & Record<string, any>;

  const dcmjs: {
    data: typeof data;
    derivations: any;
    normalizers: any;
    sr: any;
    adapters: any;
    utilities: any;
    log: typeof log;
  };
  export default dcmjs;
}
