/**
 * Runs once before the test files: builds the descriptor set that server reflection serves
 * (dist/seedream.binpb). The full dist/ build, which the start-up tests run, is made by `npm test`
 * before vitest, and on demand by test/helpers/built-entry.ts when a test file runs alone.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('bash', ['scripts/build-descriptors.sh'], { cwd: root, stdio: 'inherit' });
}
