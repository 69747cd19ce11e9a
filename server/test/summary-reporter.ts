import type { SerializedError } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain `N passed, N failed` line that CI reads, after vitest's own summary. A file
 * whose set-up failed (its tests never ran, vitest marks them skipped) counts each of those tests
 * as failed, and so does an unhandled error: neither may read as a green run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      const tests = [...module.children.allTests()];
      const states = tests.map((test) => test.result().state);
      const setupFailed = module.state() === 'failed' && !states.includes('failed');
      passed += states.filter((s) => s === 'passed').length;
      failed += states.filter((s) => s === 'failed').length;
      const notRun = states.filter((s) => s !== 'passed' && s !== 'failed').length;
      if (setupFailed) failed += Math.max(1, notRun);
      else skipped += notRun;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
