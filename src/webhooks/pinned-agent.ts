/**
 * An undici dispatcher that connects only to one already-checked address, whatever the URL's host name
 * resolves to by then: its socket `lookup` answers with the pinned address instead of asking DNS. TLS
 * still verifies the certificate against the URL's host name (undici sets the servername from it).
 */
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { WebhookTarget } from './webhook-target.js';

function pinnedLookup(target: WebhookTarget): LookupFunction {
  return (_hostname, options, callback) => {
    // Node asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily): give it only ours.
    if (options.all === true) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/** A one-delivery agent for `target`; close it after the request. */
export function pinnedAgent(target: WebhookTarget, timeoutMs: number): Agent {
  return new Agent({
    connect: { lookup: pinnedLookup(target), timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 1,
  });
}
