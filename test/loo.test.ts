// Leave-one-out median/MAD must equal the brute-force figures over the other members exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeaveOneOut } from '../src/analyze/loo.js';
import { median, mad, robustZ } from '../src/analyze/stats.js';

test('leave-one-out median, MAD and robust z equal the brute force on every member', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 500, noNaN: true })), { minLength: 2, maxLength: 60 }), (values) => {
    const loo = new LeaveOneOut(values);
    values.forEach((x, i) => {
      const others = values.filter((_, j) => j !== i);
      const got = loo.without(x);
      assert.equal(got.median, median(others));
      assert.equal(got.mad, mad(others));
      const z = loo.robustZ(x, 0.1);
      const ref = robustZ(x, others, 0.1);
      assert.equal(z.z, ref.z);
      assert.equal(z.scale, ref.scale);
    });
  }), { numRuns: 300, seed: 7 });
});
