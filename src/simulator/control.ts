/**
 * The control API under `/_simulator/`, for black-box tests of a simulator running in another process:
 * queue and clear faults, read and clear the request log, check health. No auth (the standalone server
 * binds to loopback by default); documented in docs/simulator.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { faultSchema, type FaultQueue } from './faults.js';
import { INVALID_JSON, parseJson, readBody, sendJson } from './http-io.js';
import type { RequestLog } from './request-log.js';

const CONTROL_BODY_LIMIT = 1024 * 1024;
const faultsBody = z.union([faultSchema, z.array(faultSchema)]);

/** Handles a request under `/_simulator/`. */
export async function handleControl(
  deps: { readonly faults: FaultQueue; readonly requests: RequestLog },
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /_simulator/health':
      sendJson(res, 200, { status: 'ok' });
      return;
    case 'GET /_simulator/faults':
      sendJson(res, 200, { faults: deps.faults.pending() });
      return;
    case 'POST /_simulator/faults':
      await queueFaults(deps.faults, req, res);
      return;
    case 'DELETE /_simulator/faults':
      deps.faults.clear();
      res.writeHead(204).end();
      return;
    case 'GET /_simulator/requests':
      sendJson(res, 200, { requests: deps.requests.entries() });
      return;
    case 'DELETE /_simulator/requests':
      deps.requests.clear();
      res.writeHead(204).end();
      return;
    default: {
      const known = ['/_simulator/health', '/_simulator/faults', '/_simulator/requests'].includes(path);
      sendJson(res, known ? 405 : 404, { error: { message: `no control endpoint ${route}` } });
    }
  }
}

async function queueFaults(faults: FaultQueue, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, CONTROL_BODY_LIMIT);
  const json = raw === 'too-large' ? INVALID_JSON : parseJson(raw);
  if (json === INVALID_JSON) {
    sendJson(res, 400, { error: { message: 'the body must be a JSON fault or array of faults' } });
    return;
  }
  const parsed = faultsBody.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    sendJson(res, 400, { error: { message } });
    return;
  }
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  faults.enqueue(...list);
  sendJson(res, 200, { queued: list.length, faults: faults.pending() });
}
