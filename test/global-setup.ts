/**
 * Runs once before the test files: builds dist/ (the start-up tests run the built entry point) and the
 * descriptor set that server reflection serves. Incremental, so it is quick when nothing changed.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const path = `${root}node_modules/.bin:${process.env.PATH ?? ''}`;
  execFileSync('bash', ['scripts/build.sh'], { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: path } });
}
