/**
 * Solid tissue starts here. Ground-glass opacity lies between about -750 and -300 HU
 * (Fleischner glossary, Hansell et al., Radiology 246(3), 2008).
 */
export const solidTissueHu = -300;
