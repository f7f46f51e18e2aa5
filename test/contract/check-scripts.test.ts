/**
 * The two contract checks of `npm test` do fail when they should: the drift check on a hand-edited
 * gen/ file, the breaking check on a change that breaks an earlier commit's contract. Each runs in a
 * throwaway copy of the contract files (node_modules linked), so the repository is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyContract(): string {
  const dir = mkdtempSync(join(tmpdir(), 'contract-checks-'));
  copies.push(dir);
  for (const path of ['proto', 'gen', 'scripts', 'buf.yaml', 'buf.gen.yaml']) cpSync(join(root, path), join(dir, path), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function run(dir: string, script: string) {
  const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
  const result = spawnSync('bash', [`scripts/${script}`], { cwd: dir, env, encoding: 'utf8' });
  return { code: result.status, output: result.stdout + result.stderr };
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=test', ...args], { cwd: dir, stdio: 'pipe' });

describe('the drift check', () => {
  it('passes on the committed gen/ and fails once a generated file is edited by hand', () => {
    const dir = copyContract();
    expect(run(dir, 'check-gen-drift.sh').code).toBe(0);
    appendFileSync(join(dir, 'gen/seedream/v1/types.ts'), '\n// edited by hand\n');
    const edited = run(dir, 'check-gen-drift.sh');
    expect(edited.code).not.toBe(0);
    expect(edited.output).toContain("gen/ differs from what buf generates from proto/");
  });
});

describe('the breaking-change check', () => {
  it('accepts an additive change and refuses a removed field, also when a later commit did not touch proto/', () => {
    const dir = copyContract();
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'released contract');
    const spec = join(dir, 'proto/seedream/v1/generation_spec.proto');
    const original = readFileSync(spec, 'utf8');

    writeFileSync(spec, original.replace('  string user = 6;', '  string user = 6;\n\n  // A new field (additive).\n  string note = 7;'));
    expect(run(dir, 'check-breaking.sh').code).toBe(0);

    writeFileSync(spec, original.replace(/\n {2}\/\/ An opaque end-user identifier[\s\S]*?string user = 6;\n/, '\n'));
    git(dir, 'commit', '-qam', 'remove user');
    writeFileSync(join(dir, 'README-later.txt'), 'a later commit that does not touch proto/');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'unrelated');
    const broken = run(dir, 'check-breaking.sh');
    expect(broken.code).not.toBe(0);
    expect(broken.output).toContain('breaks compatibility with the contract of commit');
  });
});
