import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyVerifier, hashApiKey, OPEN_CALLER } from '../../src/auth/api-keys.js';

const entry = (name: string, key: string) => ({ name, sha256: createHash('sha256').update(key).digest() });
const verifier = createKeyVerifier([entry('web', 'sk-web-123'), entry('batch', 'sk-batch-456')], { open: false });

describe('caller keys', () => {
  it('accepts a configured key and names its caller', () => {
    expect(verifier.verify('Bearer sk-web-123')).toEqual({ keyName: 'web' });
    expect(verifier.verify('bearer   sk-batch-456 ')).toEqual({ keyName: 'batch' });
  });

  it.each([
    ['missing header', undefined],
    ['empty', ''],
    ['unknown key', 'Bearer sk-nope'],
    ['wrong scheme', 'Basic sk-web-123'],
    ['no scheme', 'sk-web-123'],
    ['two tokens', 'Bearer sk-web-123 extra'],
    ['oversized key', `Bearer ${'k'.repeat(600)}`],
  ])('refuses %s', (_name, header) => {
    expect(verifier.verify(header)).toBeUndefined();
  });

  it('accepts everyone as the open caller when running open', () => {
    const open = createKeyVerifier([], { open: true });
    expect(open.open).toBe(true);
    expect(open.verify(undefined)).toBe(OPEN_CALLER);
  });

  it('hashes keys the way GATEWAY_API_KEYS expects', () => {
    expect(hashApiKey('sk-web-123')).toBe(createHash('sha256').update('sk-web-123').digest('hex'));
  });
});
