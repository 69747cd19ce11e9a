/**
 * Runs the DICOM validators the encoder tests rely on: dicom3tools' dciodvfy (IOD rules),
 * pixelmed's DicomSRValidator (SR template rules) and dcmtk's dcmdump. Reused by integration tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ValidatorReport {
  readonly errors: string[];
  readonly warnings: string[];
  /** Everything the tool printed, for failure messages. */
  readonly output: string;
}

/** Output of a tool that may exit non-zero on findings: keep its stdout and stderr either way. */
async function capture(file: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: unknown };
    if (typeof e.stdout === 'string' || typeof e.stderr === 'string') return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    throw error;
  }
}

function classify(output: string): ValidatorReport {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    errors: lines.filter((l) => /^Error\b/i.test(l)),
    warnings: lines.filter((l) => /^Warning\b/i.test(l)),
    output,
  };
}

/** `dciodvfy -new`: checks the file against its IOD (modules, types, VRs, code values in CIDs). */
export async function runDciodvfy(file: string): Promise<ValidatorReport> {
  return classify(await capture('dciodvfy', ['-new', file]));
}

/**
 * pixelmed DicomSRValidator with template checking (one file per JVM: it accepts no more). Java 17's
 * XPath limits must be lifted for its compiled templates. Slow (8 to 45 s on two cores): run it once
 * per test file, files in parallel. Throws when the validator did not get to the end.
 */
export async function runSrValidator(file: string): Promise<ValidatorReport> {
  const output = await capture('java', [
    '-Djdk.xml.xpathExprGrpLimit=0', '-Djdk.xml.xpathExprOpLimit=0', '-Djdk.xml.xpathTotalOpLimit=0',
    '-cp', '/usr/share/java/*', 'com.pixelmed.validate.DicomSRValidator', '-checktemplateid', file,
  ]);
  if (!/IOD validation complete/.test(output)) throw new Error(`DicomSRValidator did not finish on ${file}:\n${output}`);
  return classify(output.split('\n').filter((l) => !l.startsWith('SLF4J')).join('\n'));
}

export async function dcmdump(file: string): Promise<string> {
  return capture('dcmdump', ['+L', file]);
}
