/**
 * Typed builders for SR content items (PS3.3 C.17.3, Table C.17-5 value types), producing the
 * naturalized dcmjs form. Each refuses what would break a DICOM rule, naming the argument and the rule.
 */
import type { NaturalizedDataset } from 'dcmjs';
import { codeSequenceItem, type Code } from '../codes.ts';
import { DicomBuildError, requireFinite, requireLo, requireSh, requireText, requireUid } from '../errors.ts';

export type RelationshipType =
  | 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'HAS ACQ CONTEXT' | 'INFERRED FROM' | 'SELECTED FROM';

export type ContentItem = NaturalizedDataset;

export interface ImageReference {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Referenced Segment Number (0062,000B), for an IMAGE item that names a segment of a SEG. */
  readonly segmentNumber?: number;
}

/** A 2D point in image pixel coordinates (PS3.3 C.18.6.1.1: the top left corner of the image is 0,0). */
export interface ImagePoint {
  readonly column: number;
  readonly row: number;
}

function concept(argument: string, name: Code): NaturalizedDataset[] {
  requireSh(`${argument}.value`, name.value);
  requireLo(`${argument}.meaning`, name.meaning);
  return [codeSequenceItem(name)];
}

function withChildren(item: ContentItem, children: readonly ContentItem[] | undefined): ContentItem {
  return children && children.length > 0 ? { ...item, ContentSequence: [...children] } : item;
}

export function containerItem(
  relationship: RelationshipType | undefined,
  name: Code,
  children: readonly ContentItem[],
  templateId?: string,
): ContentItem {
  return withChildren({
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: concept('container', name),
    ContinuityOfContent: 'SEPARATE',
    ...(templateId ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }] } : {}),
  }, children);
}

export function codeItem(relationship: RelationshipType, name: Code, value: Code, children?: readonly ContentItem[]): ContentItem {
  return withChildren({
    RelationshipType: relationship,
    ValueType: 'CODE',
    ConceptNameCodeSequence: concept('code.name', name),
    ConceptCodeSequence: concept('code.value', value),
  }, children);
}

export function textItem(relationship: RelationshipType, name: Code, text: string, children?: readonly ContentItem[]): ContentItem {
  return withChildren({
    RelationshipType: relationship,
    ValueType: 'TEXT',
    ConceptNameCodeSequence: concept('text.name', name),
    TextValue: requireText(`text "${name.meaning}"`, text),
  }, children);
}

export function uidrefItem(relationship: RelationshipType, name: Code, uid: string): ContentItem {
  return {
    RelationshipType: relationship,
    ValueType: 'UIDREF',
    ConceptNameCodeSequence: concept('uidref.name', name),
    UID: requireUid(`uidref "${name.meaning}"`, uid),
  };
}

/** NUM (C.17.3.2.1): Numeric Value is DS, so at most 16 characters once formatted. */
export function numItem(
  relationship: RelationshipType,
  name: Code,
  value: number,
  unit: Code,
  children?: readonly ContentItem[],
): ContentItem {
  requireFinite(`num "${name.meaning}"`, value);
  return withChildren({
    RelationshipType: relationship,
    ValueType: 'NUM',
    ConceptNameCodeSequence: concept('num.name', name),
    MeasuredValueSequence: [{ NumericValue: roundForDs(value), MeasurementUnitsCodeSequence: concept('num.unit', unit) }],
  }, children);
}

/** Six significant digits: far beyond what a CT measurement carries, and always fits DS's 16 characters. */
function roundForDs(value: number): number {
  return Number(value.toPrecision(6));
}

export function imageItem(relationship: RelationshipType, name: Code | undefined, image: ImageReference): ContentItem {
  const reference: NaturalizedDataset = {
    ReferencedSOPClassUID: requireUid('image.sopClassUid', image.sopClassUid),
    ReferencedSOPInstanceUID: requireUid('image.sopInstanceUid', image.sopInstanceUid),
  };
  if (image.segmentNumber !== undefined) {
    if (!Number.isInteger(image.segmentNumber) || image.segmentNumber < 1) {
      throw new DicomBuildError('image.segmentNumber', `segment numbers start at 1, got ${image.segmentNumber}`);
    }
    reference.ReferencedSegmentNumber = image.segmentNumber;
  }
  return {
    RelationshipType: relationship,
    ValueType: 'IMAGE',
    ...(name ? { ConceptNameCodeSequence: concept('image.name', name) } : {}),
    ReferencedSOPSequence: [reference],
  };
}

/**
 * SCOORD POLYLINE (C.18.6) selected from one image: an open line of at least two points, as the
 * axes of a bidirectional measurement are drawn. Points must lie on the image (0..columns, 0..rows).
 */
export function polylineItem(
  relationship: RelationshipType,
  points: readonly ImagePoint[],
  image: ImageReference & { readonly columns: number; readonly rows: number },
): ContentItem {
  if (points.length < 2) throw new DicomBuildError('polyline.points', `a POLYLINE needs at least 2 points, got ${points.length}`);
  points.forEach((p, n) => {
    requireFinite(`polyline.points[${n}].column`, p.column);
    requireFinite(`polyline.points[${n}].row`, p.row);
    if (p.column < 0 || p.column > image.columns || p.row < 0 || p.row > image.rows) {
      throw new DicomBuildError(`polyline.points[${n}]`, `(${p.column}, ${p.row}) lies outside the ${image.columns}x${image.rows} image`);
    }
  });
  return {
    RelationshipType: relationship,
    ValueType: 'SCOORD',
    GraphicType: 'POLYLINE',
    GraphicData: points.flatMap((p) => [p.column, p.row]),
    ContentSequence: [imageItem('SELECTED FROM', undefined, image)],
  };
}
