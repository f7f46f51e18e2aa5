import { describe, expect, it } from 'vitest';
import { createAttributeInterner } from '../../src/telemetry/interned-attributes.js';

describe('createAttributeInterner', () => {
  it('builds a set once per key and hands out the same frozen object', () => {
    const intern = createAttributeInterner();
    let built = 0;
    const build = () => (built++, { a: 'x', n: 1 });
    const first = intern('x', build);
    expect(intern('x', build)).toBe(first);
    expect(built).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({ a: 'x', n: 1 });
    expect(intern('y', () => ({ a: 'y' }))).toEqual({ a: 'y' });
  });

  it('past its bound builds the set per call, unfrozen, with the same contents', () => {
    const intern = createAttributeInterner();
    for (let i = 0; i < 2000; i += 1) intern(String(i), () => ({ i }));
    const late = intern('late', () => ({ i: 'late' }));
    expect(late).toEqual({ i: 'late' });
    expect(Object.isFrozen(late)).toBe(false);
    expect(intern('late', () => ({ i: 'late' }))).not.toBe(late);
    expect(intern('7', () => ({ i: 'other' }))).toEqual({ i: 7 });
  });
});
