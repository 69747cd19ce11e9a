export * from './volume.ts';
export * from './mask.ts';
export * from './finding.ts';
export * from './analysis.ts';
export * from './assessment.ts';
