import { describe, expect, it } from 'vitest';
import { isLidcReadMessage, parseLidcXml } from './lidc-xml.ts';
import { sampleXml } from './test-fixtures.ts';

describe('parseLidcXml', () => {
  const message = parseLidcXml(sampleXml);

  it('reads the header and one session per reader, with or without a namespace prefix', () => {
    expect(message.seriesInstanceUid).toBe('1.2.3.4');
    expect(message.studyInstanceUid).toBe('1.2.3');
    expect(message.sessions.map((s) => s.radiologistId)).toEqual(['reader-a', 'reader-b']);
  });

  it('reads an outlined nodule with its characteristics, ROIs, inclusion flags and edge maps', () => {
    const [nodule] = message.sessions[0].nodules;
    expect(nodule.noduleId).toBe('N1');
    expect(nodule.characteristics).toMatchObject({ texture: 5, malignancy: 4, spiculation: 4, calcification: 6 });
    expect(nodule.rois.map((r) => [r.imageZposition, r.imageSopUid, r.inclusion, r.edgeMap.length]))
      .toEqual([[-97.5, '1.2.3.1', true, 4], [-97.5, '1.2.3.1', false, 4]]);
    expect(nodule.rois[0].edgeMap[1]).toEqual({ x: 20, y: 10 });
    expect(message.sessions[1].nodules[0].characteristics?.texture).toBe(2);
  });

  it('separates nodules < 3 mm (one point, no characteristics) and non-nodules', () => {
    expect(message.sessions[0].nodules).toHaveLength(1);
    expect(message.sessions[0].smallNodules).toEqual([{ id: 'S1', imageZposition: -95, imageSopUid: '1.2.3.2', point: { x: 40, y: 41 } }]);
    expect(message.sessions[0].nonNodules).toEqual([{ id: 'X1', imageZposition: -300, imageSopUid: '9.9', point: { x: 5, y: 6 } }]);
  });

  it('refuses a document that is not a LIDC read message, naming what is missing', () => {
    expect(isLidcReadMessage('<IdriReadMessage></IdriReadMessage>')).toBe(false);
    expect(isLidcReadMessage(sampleXml)).toBe(true);
    expect(() => parseLidcXml('<IdriReadMessage/>')).toThrow(/LidcReadMessage/);
    expect(() => parseLidcXml(sampleXml.replace('<xCoord>10</xCoord>', '<xCoord>ten</xCoord>'))).toThrow(/xCoord of N1 is not a number/);
  });
});
