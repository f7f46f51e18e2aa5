import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, webhookSignature, webhookSigningKey } from '../../src/webhooks/webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'image.job.succeeded', data: { id: 'j1' } });

  it('verify with the independent standardwebhooks implementation', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': webhookSignature(webhookSigningKey(secret), 'msg_1', timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('j1', 'j2'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('produce the same header the reference implementation signs', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    const expected = new Webhook(secret).sign('msg_2', at, body);
    expect(webhookSignature(webhookSigningKey(secret), 'msg_2', at.getTime() / 1000, body)).toBe(expected);
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64'), /starts with "whsec_"/],
    ['not base64', 'whsec_not*base64!', /standard base64/],
    ['too short', `whsec_${Buffer.alloc(8, 1).toString('base64')}`, /24–64 bytes, this one 8/],
    ['too long', `whsec_${Buffer.alloc(65, 1).toString('base64')}`, /this one 65/],
  ])('refuse a secret with %s', (_, bad, message) => {
    expect(() => webhookSigningKey(bad)).toThrow(message);
  });

  it('makes secrets that are valid and different', () => {
    const another = newWebhookSecret();
    expect(webhookSigningKey(another)).toHaveLength(32);
    expect(another).not.toBe(secret);
  });
});
