/** Part 10 files (PS3.10): preamble, file meta (group 0002) and the dataset in Explicit VR Little Endian. */
import dcmjs, { type NaturalizedDataset } from 'dcmjs';
import { DicomBuildError } from './errors.ts';

const explicitVrLittleEndian = '1.2.840.10008.1.2.1';
/** Lungbridge's implementation class UID (PS3.7 D.3.3.2), a fixed `2.25.` UID. */
export const implementationClassUid = '2.25.262731386311432489474318097326542155117';
export const implementationVersionName = 'LUNGBRIDGE_1';

export function toPart10(dataset: NaturalizedDataset): Buffer {
  const { SOPClassUID, SOPInstanceUID } = dataset;
  if (typeof SOPClassUID !== 'string' || typeof SOPInstanceUID !== 'string') {
    throw new DicomBuildError('dataset', 'needs SOPClassUID and SOPInstanceUID to write file meta information');
  }
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SOPClassUID,
    MediaStorageSOPInstanceUID: SOPInstanceUID,
    TransferSyntaxUID: explicitVrLittleEndian,
    ImplementationClassUID: implementationClassUid,
    ImplementationVersionName: implementationVersionName,
    _vrMap: { FileMetaInformationVersion: 'OB' },
  });
  const dict = new DicomDict(meta);
  // dcmjs's dictionary lists PixelData as "OB or OW" and logs an error for each dataset that does
  // not say which: pixels of more than 8 bits are OW, the rest OB (PS3.5 8.2).
  const pixelDataVr = dataset.PixelData === undefined ? {} : { PixelData: Number(dataset.BitsAllocated) > 8 ? 'OW' : 'OB' };
  dict.dict = DicomMetaDictionary.denaturalizeDataset({ ...dataset, _vrMap: { ...pixelDataVr, ...(dataset._vrMap as object | undefined) } });
  return Buffer.from(dict.write());
}

/** Reads a Part 10 buffer into a naturalized dataset (dcmjs). */
export function fromPart10(buffer: Uint8Array): NaturalizedDataset {
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  const dict = dcmjs.data.DicomMessage.readFile(arrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}
