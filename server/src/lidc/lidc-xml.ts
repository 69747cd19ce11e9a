import { XMLParser } from 'fast-xml-parser';

/**
 * The LIDC-IDRI reader XML (LidcReadMessage, namespace http://www.nih.gov), as plain typed data.
 * One `readingSession` per radiologist; see Armato et al., Med Phys 38:915 (2011) and the LIDC
 * XML documentation. Pure: a string in, objects out; mapping to a volume lives in ./case-geometry.ts.
 */

/** Ratings of a nodule >= 3 mm, each 1..5 (calcification 1..6, 6 = absent). */
export interface LidcCharacteristics {
  readonly subtlety: number;
  readonly internalStructure: number;
  readonly calcification: number;
  readonly sphericity: number;
  readonly margin: number;
  readonly lobulation: number;
  readonly spiculation: number;
  /** 1 = ground glass / non-solid, 3 = part-solid, 5 = solid. */
  readonly texture: number;
  /** 1 = highly unlikely ... 5 = highly suspicious. */
  readonly malignancy: number;
}

export const lidcCharacteristicNames = [
  'subtlety', 'internalStructure', 'calcification', 'sphericity', 'margin',
  'lobulation', 'spiculation', 'texture', 'malignancy',
] as const satisfies readonly (keyof LidcCharacteristics)[];

/** A pixel position on one slice: x = column, y = row. */
export interface PixelPoint {
  readonly x: number;
  readonly y: number;
}

/** One contour of a nodule on one slice. */
export interface LidcRoi {
  readonly imageZposition: number;
  readonly imageSopUid: string;
  /** true = the region inside the contour belongs to the nodule; false = it is a hole. */
  readonly inclusion: boolean;
  readonly edgeMap: readonly PixelPoint[];
}

/** `unblindedReadNodule` with characteristics: a nodule >= 3 mm, outlined slice by slice. */
export interface LidcReaderNodule {
  readonly noduleId: string;
  /** Absent in a few LIDC files even for outlined nodules; kept optional rather than invented. */
  readonly characteristics?: LidcCharacteristics;
  readonly rois: readonly LidcRoi[];
}

/** A single marked point: a nodule < 3 mm or a non-nodule. */
export interface LidcPointMark {
  readonly id: string;
  readonly imageZposition: number;
  readonly imageSopUid: string;
  readonly point: PixelPoint;
}

export interface LidcReadingSession {
  readonly radiologistId: string;
  readonly nodules: readonly LidcReaderNodule[];
  readonly smallNodules: readonly LidcPointMark[];
  readonly nonNodules: readonly LidcPointMark[];
}

export interface LidcReadMessage {
  readonly seriesInstanceUid?: string;
  readonly studyInstanceUid?: string;
  readonly sessions: readonly LidcReadingSession[];
}

type XmlNode = Record<string, unknown>;

const repeated = new Set(['readingSession', 'unblindedReadNodule', 'nonNodule', 'roi', 'edgeMap']);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Some LIDC files prefix the elements (nih:readingSession); the names are the same without it.
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => repeated.has(name),
});

/** True when the text is a LIDC CT read message (the CXR files of LIDC-IDRI use IdriReadMessage). */
export function isLidcReadMessage(xml: string): boolean {
  return /<(\w+:)?LidcReadMessage[\s>]/.test(xml);
}

export function parseLidcXml(xml: string): LidcReadMessage {
  const root = (parser.parse(xml) as XmlNode).LidcReadMessage as XmlNode | undefined;
  if (!root) throw new Error('Not a LIDC read message: no LidcReadMessage root element');
  const header = (root.ResponseHeader ?? {}) as XmlNode;
  const sessions = ((root.readingSession ?? []) as XmlNode[]).map(parseSession);
  return {
    seriesInstanceUid: optionalText(header.SeriesInstanceUid),
    studyInstanceUid: optionalText(header.StudyInstanceUID),
    sessions,
  };
}

function parseSession(session: XmlNode, index: number): LidcReadingSession {
  const nodules: LidcReaderNodule[] = [];
  const smallNodules: LidcPointMark[] = [];
  for (const node of (session.unblindedReadNodule ?? []) as XmlNode[]) {
    const noduleId = text(node.noduleID, 'noduleID');
    const rois = ((node.roi ?? []) as XmlNode[]).map((roi) => parseRoi(roi, noduleId));
    if (node.characteristics !== undefined || rois.some((roi) => roi.edgeMap.length > 1)) {
      nodules.push({ noduleId, characteristics: parseCharacteristics(node.characteristics), rois });
    } else if (rois[0]?.edgeMap[0]) {
      // A nodule < 3 mm: the LIDC protocol records only its centre, as a one-point roi.
      const roi = rois[0];
      smallNodules.push({ id: noduleId, imageZposition: roi.imageZposition, imageSopUid: roi.imageSopUid, point: roi.edgeMap[0] });
    }
  }
  const nonNodules = ((session.nonNodule ?? []) as XmlNode[]).map((node): LidcPointMark => {
    const id = text(node.nonNoduleID, 'nonNoduleID');
    const locus = (node.locus ?? {}) as XmlNode;
    return {
      id,
      imageZposition: number(node.imageZposition, `imageZposition of ${id}`),
      imageSopUid: text(node.imageSOP_UID, `imageSOP_UID of ${id}`),
      point: { x: number(locus.xCoord, `locus xCoord of ${id}`), y: number(locus.yCoord, `locus yCoord of ${id}`) },
    };
  });
  return {
    radiologistId: optionalText(session.servicingRadiologistID) ?? `reader-${index + 1}`,
    nodules,
    smallNodules,
    nonNodules,
  };
}

function parseRoi(roi: XmlNode, noduleId: string): LidcRoi {
  return {
    imageZposition: number(roi.imageZposition, `imageZposition of ${noduleId}`),
    imageSopUid: text(roi.imageSOP_UID, `imageSOP_UID of ${noduleId}`),
    inclusion: text(roi.inclusion, `inclusion of ${noduleId}`).toUpperCase() === 'TRUE',
    edgeMap: ((roi.edgeMap ?? []) as XmlNode[]).map((p) => ({
      x: number(p.xCoord, `xCoord of ${noduleId}`),
      y: number(p.yCoord, `yCoord of ${noduleId}`),
    })),
  };
}

function parseCharacteristics(node: unknown): LidcCharacteristics | undefined {
  if (node === undefined || node === '') return undefined;
  const values = node as XmlNode;
  const entries = lidcCharacteristicNames.map((name) => [name, number(values[name], name)] as const);
  return Object.fromEntries(entries) as unknown as LidcCharacteristics;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function text(value: unknown, what: string): string {
  const s = optionalText(value);
  if (s === undefined) throw new Error(`LIDC XML: missing ${what}`);
  return s;
}

function number(value: unknown, what: string): number {
  const n = Number(text(value, what));
  if (!Number.isFinite(n)) throw new Error(`LIDC XML: ${what} is not a number (${String(value)})`);
  return n;
}
