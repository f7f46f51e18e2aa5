/**
 * Downloads an upstream image so the gateway can host it (DESIGN §9, §11): only from the hosts allowed
 * for the configured upstream (never a caller-supplied URL), only http(s), no redirects followed (a
 * redirect could leave the allow-list), bounded by a size cap and one deadline for the whole download.
 * The body is returned as a stream for the store to consume — nothing is buffered whole.
 */
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { CancelController, type CancelSignal } from '../cancel-signal.js';

/** Why an image could not be hosted; each is a label of the hosting-failures metric. */
export type HostingFailureReason = 'fetch_refused' | 'fetch_failed' | 'too_large' | 'store_failed';

export class HostingFailure extends Error {
  override readonly name = 'HostingFailure';
  constructor(
    readonly reason: HostingFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface UpstreamImageFetcherOptions {
  /** `host` (any port), `host:port`, or `*.domain` (any subdomain), lowercase. */
  readonly allowedHosts: readonly string[];
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export interface UpstreamImageFetcher {
  /** The image's bytes as a stream, or a HostingFailure. The stream errors if the timeout strikes mid-body. */
  fetch(url: string, signal: CancelSignal): Promise<Readable>;
  close(): Promise<void>;
}

/** Whether `url` points at an allowed host (see UpstreamImageFetcherOptions.allowedHosts). */
export function isAllowedImageUrl(url: URL, allowedHosts: readonly string[]): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((allowed) => {
    if (allowed.startsWith('*.')) return hostname.endsWith(allowed.slice(1));
    return allowed === host || allowed === hostname;
  });
}

export function createUpstreamImageFetcher(options: UpstreamImageFetcherOptions): UpstreamImageFetcher {
  // A pool of its own: image downloads must not queue behind (or starve) generation requests.
  const agent = new Agent({ connect: { timeout: options.timeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  return {
    async fetch(text, signal) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new HostingFailure('fetch_refused', 'the upstream image URL is not a URL');
      }
      if (!isAllowedImageUrl(url, options.allowedHosts)) {
        throw new HostingFailure('fetch_refused', `the upstream image host ${url.host} is not in IMAGE_FETCH_ALLOWED_HOSTS`);
      }
      // One deadline for the whole download (connect, headers and body). A plain CancelController fired
      // by the caller's signal or by one timer costs a few µs, where AbortSignal.any + AbortSignal.timeout
      // per download cost tens (and kept timers and weak references alive until the deadline).
      if (signal.aborted) throw signal.reason;
      const abort = new CancelController();
      const onCallerAbort = () => abort.abort(signal.reason);
      signal.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => abort.abort(new HostingFailure('fetch_failed', `downloading the upstream image took longer than ${options.timeoutMs} ms`)), options.timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onCallerAbort);
      };
      let answer: Awaited<ReturnType<typeof request>>;
      try {
        answer = await request(url, { method: 'GET', dispatcher: agent, signal: abort }); // undici's request() never follows redirects
      } catch (error) {
        settle();
        if (signal.aborted) throw signal.reason;
        if (error instanceof HostingFailure) throw error;
        throw new HostingFailure('fetch_failed', `downloading the upstream image failed: ${(error as Error).message}`, { cause: error });
      }
      // The deadline keeps running while the store reads the body; a timeout destroys it mid-way.
      answer.body.once('close', settle);
      if (answer.statusCode !== 200) {
        discard(answer.body);
        throw new HostingFailure('fetch_failed', `the upstream image URL answered HTTP ${answer.statusCode}`);
      }
      const length = Number(answer.headers['content-length']);
      if (Number.isFinite(length) && length > options.maxBytes) {
        discard(answer.body);
        throw new HostingFailure('too_large', `the upstream image is ${length} bytes, over IMAGE_FETCH_MAX_BYTES (${options.maxBytes})`);
      }
      return answer.body;
    },
    close: () => agent.close(),
  };
}

/** Drops a body we will not read; the abort it causes is expected, not an error to report. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}
