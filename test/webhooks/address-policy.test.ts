import { describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../src/webhooks/address-policy.js';
import { webhookUrlProblem } from '../../src/webhooks/webhook-target.js';

describe('webhook address policy', () => {
  const policy = createAddressPolicy();

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => expect(policy.isAllowed(address)).toBe(true),
  );

  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.2.10', '198.18.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
    '64:ff9b::a00:1', '2002:a00:1::1', 'not-an-address',
  ])('refuses %s', (address) => expect(policy.isAllowed(address)).toBe(false));

  it('allows exactly the ranges config lets through', () => {
    const loopbackOnly = createAddressPolicy(['127.0.0.1/32', '::1', '10.20.0.0/16']);
    expect(loopbackOnly.isAllowed('127.0.0.1')).toBe(true);
    expect(loopbackOnly.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(loopbackOnly.isAllowed('::1')).toBe(true);
    expect(loopbackOnly.isAllowed('10.20.3.4')).toBe(true);
    expect(loopbackOnly.isAllowed('127.0.0.2')).toBe(false);
    expect(loopbackOnly.isAllowed('10.21.0.1')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'localhost', '10.0.0.0/x', '::1/129'])('refuses the config entry %s, naming it', (entry) => {
    expect(() => createAddressPolicy([entry])).toThrow(`"${entry}" is not an IP address or CIDR range`);
  });
});

describe('webhook URL rules', () => {
  it.each([
    ['https://hooks.example.com/seedream', false, undefined],
    ['http://hooks.example.com/x', true, undefined],
    ['http://hooks.example.com/x', false, 'must be an https URL'],
    ['ftp://hooks.example.com/x', true, 'must be an http or https URL'],
    ['hooks.example.com/x', false, 'must be an absolute URL'],
    ['https://user:pw@hooks.example.com/x', false, 'must not carry credentials (sign with the webhook secret instead)'],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, false, 'must be at most 2048 characters'],
  ])('%s (http allowed: %s) → %s', (url, allowHttp, problem) => {
    expect(webhookUrlProblem(url, { allowHttp })).toBe(problem);
  });
});
