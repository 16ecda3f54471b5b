// The time planner against a fake clock: durations parse, the dataset rule, plans that fit the
// budget when the measured step costs differ from the probe, and the LR step at its planned fraction.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BudgetPlanner,
  ITERATION_RULE,
  MIN_ITERATIONS,
  iterationsForDataset,
  keepPassedSteps,
  parseDuration,
  planToBudget,
} from '../../src/detection/training/planner.js';
import { learningRate } from '../../src/detection/training/trainer.js';
import { baseConfig } from '../../src/detection/model/config.js';

const test = suite('detection: time planner');

test('durations: seconds, minutes, hours and mixes; nonsense is an error that shows the form', () => {
  assert.is(parseDuration('90s'), 90);
  assert.is(parseDuration('10m'), 600);
  assert.is(parseDuration('1h'), 3600);
  assert.is(parseDuration('1h30m'), 5400);
  assert.is(parseDuration('1.5h'), 5400);
  assert.is(parseDuration('2min'), 120);
  assert.is(parseDuration('45'), 45);
  for (const bad of ['', 'ten minutes', '10x', '-5m', '0s', 'm', '10m junk'])
    assert.throws(() => parseDuration(bad), /cannot read the time .*90s, 10m, 1h/);
});

test('iterations from the dataset size follow the documented rule', () => {
  assert.is(iterationsForDataset(0), 2000);
  assert.is(iterationsForDataset(300), 3500);
  assert.is(iterationsForDataset(10000), 5000);
  assert.match(ITERATION_RULE, /2000 \+ 5 per training image, at most 5000/);
});

test('a plan spends the seconds it is given (pre-training at its ratio), and refuses budgets below the minimum', () => {
  const cost = { pretrain: 0.05, train: 0.1 };
  const p = planToBudget(600, { iteration: 0, pretrain: 0, iterations: 0 }, 0.4, cost)!;
  assert.ok(Math.abs(p.pretrain * 0.05 + p.iterations * 0.1 - 600) < 0.2, JSON.stringify(p));
  assert.is(p.pretrain, Math.round(0.4 * p.iterations));
  assert.is(planToBudget(MIN_ITERATIONS * 0.1, { iteration: 0, pretrain: 0, iterations: 0 }, 0.4, cost), null);
  // After pre-training only T moves.
  const q = planToBudget(100, { iteration: 500, pretrain: 400, iterations: 2000 }, 0.4, cost)!;
  assert.equal(q, { pretrain: 400, iterations: 100 + 1000 });
});

test('a fixed pre-training count (ratio 0) is kept and only T is planned', () => {
  const cost = { pretrain: 0.05, train: 0.1 };
  assert.equal(planToBudget(600, { iteration: 0, pretrain: 1500, iterations: 3700 }, 0, cost), { pretrain: 1500, iterations: 5250 });
  assert.is(planToBudget(90, { iteration: 0, pretrain: 1500, iterations: 3700 }, 0, cost), null);
});

test('keepPassedSteps keeps a passed LR step at its iteration and moves the ones ahead', () => {
  const f = keepPassedSteps([0.5, 0.9], 1000, 1500, 600);
  assert.is(Math.round(f[0] * 1500), 500);
  assert.is(f[1], 0.9);
});

/** Simulates a run on a fake clock: steps cost `actual` seconds while the probe said `probe`. */
function simulate(budget: number, probe: { pretrain: number; train: number }, actual: (phase: 'pretrain' | 'train', i: number) => number) {
  let now = 5; // reading the data took 5 s
  const planner = new BudgetPlanner(
    budget,
    0.4,
    probe,
    () => now,
    () => 1,
  );
  const c = { pretrain: 0, iterations: 0, stepFractions: [0.7] };
  assert.ok(planner.replan(0, c));
  const firstPlan = { ...c };
  const cfg = baseConfig().train;
  cfg.lr = 0.02;
  cfg.warmupIters = 0;
  let i = 0,
    stepAt = -1,
    prevLr = Infinity;
  while (i < c.pretrain + c.iterations) {
    const phase = i < c.pretrain ? 'pretrain' : 'train';
    const s = actual(phase, i);
    now += s;
    planner.observe(phase, s);
    i++;
    if (i % 10 === 0 || i === c.pretrain) planner.replan(i, c);
    if (i > c.pretrain) {
      const lr = learningRate({ ...cfg, iterations: c.iterations, stepFractions: c.stepFractions }, i - 1 - c.pretrain);
      if (lr < prevLr && prevLr !== Infinity) stepAt = i - 1 - c.pretrain;
      prevLr = lr;
    }
  }
  return { end: now + 1, c, stepAt, firstPlan };
}

test('runs whose steps cost more or less than the probe said end within 10% of the budget, LR step at 70%', () => {
  for (const [probe, actual, ratioHolds] of [
    [{ pretrain: 0.04, train: 0.07 }, () => 1, true], // steps ~20% slower than probed
    [{ pretrain: 0.05, train: 0.08 }, () => 0.6, true], // 40% faster
    [{ pretrain: 0.05, train: 0.03 }, () => 1.6, false], // train steps 4x the probe's
  ] as const) {
    const r = simulate(600, probe, (phase, i) => (phase === 'pretrain' ? 0.05 : 0.08) * actual() * (i < 4 ? 3 : 1));
    assert.ok(Math.abs(r.end - 600) <= 60, `ended at ${r.end.toFixed(1)} s of 600`);
    assert.ok(r.stepAt >= 0, 'the LR stepped');
    assert.ok(Math.abs(r.stepAt - 0.7 * r.c.iterations) <= 0.03 * r.c.iterations, `LR step at ${r.stepAt} of ${r.c.iterations}`);
    // Pre-training is fixed when it ends, from the train-step cost believed then (the probe's here).
    if (ratioHolds)
      assert.ok(
        r.c.pretrain >= 0.2 * r.c.iterations && r.c.pretrain <= 0.6 * r.c.iterations,
        `pre-training ${r.c.pretrain} of ${r.c.iterations}`,
      );
  }
});

test('a budget too small for the minimum plan is refused, and the minimum is said', () => {
  const planner = new BudgetPlanner(
    20,
    0.4,
    { pretrain: 0.05, train: 0.1 },
    () => 5,
    () => 1,
  );
  const c = { pretrain: 0, iterations: 0, stepFractions: [0.7] };
  assert.not.ok(planner.replan(0, c));
  assert.ok(planner.minimumSeconds() > 20 && planner.minimumSeconds() < 40, String(planner.minimumSeconds()));
});

test.run();
