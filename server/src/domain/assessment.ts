/** Lung-RADS v2022 categories (ACR). 'S' and 'C' modifiers are left to the reader. */
export const lungRadsCategories = ['0', '1', '2', '3', '4A', '4B', '4X'] as const;
export type LungRadsCategory = (typeof lungRadsCategories)[number];

export interface LungRadsResult {
  readonly category: LungRadsCategory;
  /** The table row that produced the category, in words, for the report and the UI. */
  readonly rule: string;
  /** The ACR management recommendation for the category. */
  readonly management: string;
}

/** Clinical scoring of one finding. */
export interface FindingAssessment {
  readonly lungRads: LungRadsResult;
  /** Brock (PanCan) probability of malignancy, 0..1, when it could be computed. */
  readonly brockProbability?: number;
  /** Brock inputs that were unknown and how they were treated (named, never silently defaulted). */
  readonly brockMissingInputs?: readonly string[];
}
