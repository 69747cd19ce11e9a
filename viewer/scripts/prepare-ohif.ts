// Builds viewer/ohif/www (served under /viewer/) from the pristine viewer/ohif/dist.
// Called by fetch-ohif.sh; arguments: <pristineDir> <outDir>.
import { prepareOhifDist } from '../src/prepare-ohif.ts';
import { viewerBasePath } from '../src/rebase-ohif.ts';

const [pristineDir, outDir] = process.argv.slice(2);
if (!pristineDir || !outDir) {
  console.error('usage: prepare-ohif.ts <pristineDir> <outDir>');
  process.exit(2);
}
const started = performance.now();
const result = await prepareOhifDist({ pristineDir, outDir, basePath: viewerBasePath });
console.log(
  `OHIF prepared for ${viewerBasePath} in ${Math.round(performance.now() - started)} ms: ` +
    `${result.rewritten.length} files rewritten, ${result.linked} linked -> ${outDir}`,
);
