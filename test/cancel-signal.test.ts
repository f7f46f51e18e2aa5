import { describe, expect, it } from 'vitest';
import { CancelController } from '../src/cancel-signal.js';

describe('CancelController', () => {
  it('runs every listener once, in order, with the first reason', () => {
    const controller = new CancelController();
    const calls: string[] = [];
    controller.addEventListener('abort', () => calls.push(`a:${String(controller.reason)}`));
    controller.addEventListener('abort', () => calls.push('b'));
    controller.abort('first');
    controller.abort('second');
    expect(controller.aborted).toBe(true);
    expect(controller.reason).toBe('first');
    expect(calls).toEqual(['a:first', 'b']);
  });

  it('does not run removed listeners, nor listeners added after the abort', () => {
    const controller = new CancelController();
    let runs = 0;
    const listener = () => (runs += 1);
    controller.addEventListener('abort', listener);
    controller.removeEventListener('abort', listener);
    controller.abort();
    controller.addEventListener('abort', listener);
    expect(runs).toBe(0);
    expect(controller.reason).toBeInstanceOf(DOMException);
  });

  it('aborts an undici request like an AbortSignal does', async () => {
    const { createServer } = await import('node:http');
    const { request } = await import('undici');
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const controller = new CancelController();
    const pending = request(`http://127.0.0.1:${port}/`, { signal: controller });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});
