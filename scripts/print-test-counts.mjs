// Prints "N passed, N failed" from vitest's JSON report (0 and 0 when vitest did not run).
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(new URL('../.test-results/vitest.json', import.meta.url), 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A file that fails to load has no failed tests but is a failed suite: count it, never hide it.
  if (failed === 0) failed = report.numFailedTestSuites ?? 0;
} catch {
  // vitest did not run (an earlier step failed): nothing passed.
}
console.log(`${passed} passed, ${failed} failed`);
