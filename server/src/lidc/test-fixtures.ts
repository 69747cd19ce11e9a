import type { Volume } from '../domain/volume.ts';

/**
 * An empty axial volume for tests of annotation geometry: slice k sits at z = z0 + k * spacing[2]
 * and has SOP Instance UID `1.2.3.<k>`.
 */
export function blankAxialVolume(
  dims: readonly [number, number, number],
  spacing: readonly [number, number, number] = [0.7, 0.7, 2.5],
  z0 = -100,
): Volume {
  return {
    voxels: new Int16Array(dims[0] * dims[1] * dims[2]),
    dims,
    spacing,
    origin: { x: -150, y: -150, z: z0 },
    direction: [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }],
    source: {
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.4',
      frameOfReferenceUid: '1.2.3.5',
      sopInstanceUids: Array.from({ length: dims[2] }, (_, k) => `1.2.3.${k}`),
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      patientStudy: {},
    },
  };
}

const edge = (x: number, y: number) => `<edgeMap><xCoord>${x}</xCoord><yCoord>${y}</yCoord></edgeMap>`;
const characteristics = (texture: number, malignancy: number) => `<characteristics><subtlety>5</subtlety>
  <internalStructure>1</internalStructure><calcification>6</calcification><sphericity>3</sphericity><margin>3</margin>
  <lobulation>2</lobulation><spiculation>4</spiculation><texture>${texture}</texture><malignancy>${malignancy}</malignancy></characteristics>`;

/** Two sessions: one with an outlined nodule with a hole, a < 3 mm nodule and a non-nodule; one prefixed (nih:). */
export const sampleXml = `<?xml version="1.0" encoding="UTF-8"?>
<LidcReadMessage xmlns="http://www.nih.gov">
<ResponseHeader><SeriesInstanceUid>1.2.3.4</SeriesInstanceUid><StudyInstanceUID>1.2.3</StudyInstanceUID></ResponseHeader>
<readingSession><servicingRadiologistID>reader-a</servicingRadiologistID>
  <unblindedReadNodule><noduleID>N1</noduleID>${characteristics(5, 4)}
    <roi><imageZposition>-97.5 </imageZposition><imageSOP_UID>1.2.3.1</imageSOP_UID><inclusion>TRUE</inclusion>
      ${edge(10, 10)}${edge(20, 10)}${edge(20, 20)}${edge(10, 20)}</roi>
    <roi><imageZposition>-97.5</imageZposition><imageSOP_UID>1.2.3.1</imageSOP_UID><inclusion>FALSE</inclusion>
      ${edge(14, 14)}${edge(16, 14)}${edge(16, 16)}${edge(14, 16)}</roi>
  </unblindedReadNodule>
  <unblindedReadNodule><noduleID>S1</noduleID>
    <roi><imageZposition>-95</imageZposition><imageSOP_UID>1.2.3.2</imageSOP_UID><inclusion>TRUE</inclusion>${edge(40, 41)}</roi>
  </unblindedReadNodule>
  <nonNodule><nonNoduleID>X1</nonNoduleID><imageZposition>-300</imageZposition><imageSOP_UID>9.9</imageSOP_UID>
    <locus><xCoord>5</xCoord><yCoord>6</yCoord></locus></nonNodule>
</readingSession>
<nih:readingSession xmlns:nih="http://www.nih.gov"><nih:servicingRadiologistID>reader-b</nih:servicingRadiologistID>
  <nih:unblindedReadNodule><nih:noduleID>M7</nih:noduleID>${characteristics(2, 3).replace(/<(\/?)(\w+)>/g, '<$1nih:$2>')}
    <nih:roi><nih:imageZposition>-97.5</nih:imageZposition><nih:imageSOP_UID>1.2.3.1</nih:imageSOP_UID><nih:inclusion>TRUE</nih:inclusion>
      ${edge(11, 11).replace(/<(\/?)(\w+)>/g, '<$1nih:$2>')}${edge(19, 19).replace(/<(\/?)(\w+)>/g, '<$1nih:$2>')}</nih:roi>
  </nih:unblindedReadNodule>
</nih:readingSession>
</LidcReadMessage>`;
