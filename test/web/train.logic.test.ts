// The training page's bookkeeping without a browser: the smoothed tokens/s and the thinned loss curve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateMeter, thin } from '../../web/src/lib/train-logic.js';
import { intParam, parseIntField } from '../../web/src/lib/params.js';
import { niceTicks, divergingColor, sequentialColor } from '../../web/src/lib/scale.js';

test('RateMeter starts at the first reading, moves a tenth of the way, ignores non-positive and non-finite ones', () => {
  const m = new RateMeter();
  assert.ok(Number.isNaN(m.current));
  assert.equal(m.add(1000), 1000);
  assert.equal(m.add(2000), 1100);
  assert.equal(m.add(Infinity), 1100);
  assert.equal(m.add(0), 1100);
});

test('thin keeps at most about max points, the first and the last', () => {
  const pts = Array.from({ length: 1001 }, (_, i) => [i, i * 2] as [number, number]);
  const t = thin(pts, 100);
  assert.ok(t.length <= 101, `${t.length}`);
  assert.deepEqual(t[0], [0, 0]);
  assert.deepEqual(t[t.length - 1], [1000, 2000]);
  assert.equal(thin(pts.slice(0, 5), 100).length, 5);
});

test('URL and field parsing: defaults, ranges and messages that name the field', () => {
  const problems: string[] = [];
  const p = new URLSearchParams('epochs=abc&len=7');
  assert.equal(intParam(p, 'epochs', 8, 1, 200, problems), 8);
  assert.equal(intParam(p, 'len', 8, 1, 30, problems), 7);
  assert.equal(intParam(p, 'missing', 3, 1, 30, problems), 3);
  assert.deepEqual(problems, ['?epochs=abc: expected an integer from 1 to 200; using 8']);
  assert.deepEqual(parseIntField(' 12 ', 'epochs', 1, 200), { value: 12 });
  assert.deepEqual(parseIntField('', 'epochs', 1, 200), { error: 'epochs: empty; give an integer from 1 to 200' });
  assert.deepEqual(parseIntField('many', 'epochs', 1, 200), { error: "epochs: 'many' is not a number" });
  assert.deepEqual(parseIntField('1e9', 'epochs', 1, 200), { error: 'epochs: 1e9 is outside 1–200 (or not whole)' });
});

test('chart scales: round ticks, colour ends', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0.13, 0.9, 4), [0.2, 0.4, 0.6, 0.8]);
  assert.equal(sequentialColor(0), 'rgb(255,255,255)');
  assert.equal(sequentialColor(2), sequentialColor(1));
  assert.equal(divergingColor(0), 'rgb(255,255,255)');
  assert.notEqual(divergingColor(-1), divergingColor(1));
});
