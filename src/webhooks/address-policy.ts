/**
 * Which addresses a webhook may be delivered to (DESIGN §9: the one caller-supplied destination).
 * Loopback, private, link-local, shared (CGNAT), multicast, reserved and documentation ranges are
 * refused — a webhook must not reach the gateway's own network (cloud metadata at 169.254.169.254,
 * admin ports on localhost) — unless the operator allows a range in config.
 */
import { BlockList, isIP } from 'node:net';

/** [network, prefix length] of every refused range, per the IANA special-purpose registries. */
const refusedV4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const refusedV6: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: reaches IPv4 addresses, private ones included
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: reaches IPv4 addresses
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

export interface WebhookAddressPolicy {
  /** Whether a resolved address may be connected to. */
  isAllowed(address: string): boolean;
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, in any spelling) as the IPv4 address it maps. */
function unmapped(address: string): string {
  if (isIP(address) !== 6) return address;
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const high = parseInt(mapped[1] ?? '0', 16);
  const low = parseInt(mapped[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Parses `a.b.c.d/n`, `x::y/n` or a single address; throws naming the entry when it is neither. */
function addRange(list: BlockList, entry: string): void {
  const [network = '', prefix] = entry.split('/');
  const family = isIP(network);
  const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
    throw new Error(`"${entry}" is not an IP address or CIDR range`);
  }
  list.addSubnet(network, bits, family === 6 ? 'ipv6' : 'ipv4');
}

/** A policy refusing the special-purpose ranges except those in `allowedCidrs` (e.g. `127.0.0.1/32`
 *  for a receiver on the same host, `10.20.0.0/16` for an internal one). */
export function createAddressPolicy(allowedCidrs: readonly string[] = []): WebhookAddressPolicy {
  const refused = new BlockList();
  for (const [network, bits] of refusedV4) refused.addSubnet(network, bits, 'ipv4');
  for (const [network, bits] of refusedV6) refused.addSubnet(network, bits, 'ipv6');
  const allowed = new BlockList();
  for (const entry of allowedCidrs) addRange(allowed, entry);
  return {
    isAllowed(address) {
      const plain = unmapped(address);
      const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(plain) === 0) return false;
      return allowed.check(plain, family) || !refused.check(plain, family);
    },
  };
}
