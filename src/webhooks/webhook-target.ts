/**
 * Where a webhook goes: the URL's rules (checked when a job is created, so a bad URL is an
 * INVALID_ARGUMENT naming `webhook_url`), then, per delivery attempt, the name resolved once and every
 * address it resolves to checked against the address policy. The connection is then made to that
 * checked address (pinned-agent.ts), so a DNS answer that changes in between (rebinding) cannot send
 * the request elsewhere.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { WebhookAddressPolicy } from './address-policy.js';

/** Resolves a name to all of its addresses (injected in tests; the system resolver otherwise). */
export type ResolveAll = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export const systemResolveAll: ResolveAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The address a delivery connects to, and the URL it asks for (Host and TLS name stay the URL's). */
export interface WebhookTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

/** A target refused by policy: permanent, so the delivery is not retried. The message never names the
 *  resolved address (it would tell a caller what internal names resolve to). */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

const maxUrlLength = 2048;

/** Why `url` cannot be a webhook URL, or undefined when it can. */
export function webhookUrlProblem(url: string, options: { readonly allowHttp: boolean }): string | undefined {
  if (url.length > maxUrlLength) return `must be at most ${maxUrlLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(options.allowHttp && parsed.protocol === 'http:')) {
    return options.allowHttp ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials (sign with the webhook secret instead)';
  if (parsed.hostname === '') return 'must name a host';
  return undefined;
}

/** Resolves the URL's host once and checks every address; throws WebhookTargetRefused when any is
 *  refused (a name that resolves to a public and a private address is refused as a whole). */
export async function resolveWebhookTarget(url: URL, policy: WebhookAddressPolicy, resolveAll: ResolveAll): Promise<WebhookTarget> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await resolveAll(host);
  const first = addresses[0];
  if (first === undefined) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  if (!addresses.every(({ address }) => policy.isAllowed(address))) {
    throw new WebhookTargetRefused('the webhook URL resolves to an address that webhooks may not be sent to');
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
