import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubForLog } from '../../src/telemetry/logger.js';

describe('logger', () => {
  it('never writes secrets or image data', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const logger = createLogger({ level: 'info', destination });
    const b64 = Buffer.alloc(3000, 7).toString('base64');
    logger.info({ headers: { authorization: 'Bearer sk-live-123', 'x-request-id': 'r1' }, apiKey: 'sk-ark', body: { image: [`data:image/png;base64,${b64}`], b64_json: b64, prompt: 'a cat' } }, 'call');
    const line = lines.join('');
    expect(line).not.toContain('sk-live-123');
    expect(line).not.toContain('sk-ark');
    expect(line).not.toContain(b64.slice(0, 64));
    expect(JSON.parse(line)).toMatchObject({
      msg: 'call',
      headers: { authorization: '[redacted]', 'x-request-id': 'r1' },
      body: { image: [`[data URI, ${22 + b64.length} chars]`], b64_json: `[base64, ${b64.length} chars]`, prompt: 'a cat' },
    });
  });

  it('keeps ordinary values as they are', () => {
    expect(scrubForLog({ model: 'doubao-seedream-4-5-251128', n: 3, ok: true, keyName: 'web' })).toEqual({ model: 'doubao-seedream-4-5-251128', n: 3, ok: true, keyName: 'web' });
    expect(scrubForLog(Buffer.alloc(10))).toBe('[10 bytes]');
  });
});
