import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { vocAp, vocMap, type VocDetections, type VocGroundTruth } from '../../src/eval/vocAp.js';
import { expectClose, fixtureCases, toF64, type FixtureCase } from '../helpers/fixtures.js';

const apCases = fixtureCases('voc_ap', 'voc_ap');
const close = (a: number, e: number, label: string) =>
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${label}: ${a} vs ${e}`);

function inputs(c: FixtureCase): { det: VocDetections; gt: VocGroundTruth } {
  const d = c.input.detections,
    g = c.input.ground_truth;
  return {
    det: { imageIds: d.image_id, scores: d.score, boxes: toF64(d.boxes) },
    gt: { imageIds: g.image_id, boxes: toF64(g.boxes), difficult: g.difficult },
  };
}

test('fixtures: every voc_ap case (npos, order, labels exact; recall, precision, both APs)', () => {
  assert.is(apCases.length, 26);
  for (const c of apCases) {
    const { det, gt } = inputs(c);
    const e = c.expected;
    const r = vocAp(det, gt, { iouThreshold: c.input.iou_threshold });
    assert.is(r.npos, e.npos, `${c.id} npos`);
    assert.equal(Array.from(r.order), e.order, `${c.id} order`);
    assert.equal(Array.from(r.labels), e.label, `${c.id} labels`);
    expectClose(r.recall, toF64(e.recall), { rtol: 1e-12 }, `${c.id} recall`);
    expectClose(r.precision, toF64(e.precision), { rtol: 1e-12 }, `${c.id} precision (NaN where TP+FP = 0)`);
    close(r.ap07, e.ap_voc07_11pt, `${c.id} ap_voc07_11pt`);
    close(r.apAllPoint, e.ap_voc10_allpoint, `${c.id} ap_voc10_allpoint`);
    close(r.ap, e.ap_voc07_11pt, `${c.id} default metric is VOC07 11-point`);
    close(vocAp(det, gt, { use07Metric: false }).ap, e.ap_voc10_allpoint, `${c.id} use07Metric false`);
    if (e.strict_gt_threshold) {
      const s = vocAp(det, gt, { strictIou: true });
      assert.equal(Array.from(s.labels), e.strict_gt_threshold.label, `${c.id} strict labels`);
      close(s.ap07, e.strict_gt_threshold.ap_voc07_11pt, `${c.id} strict ap07`);
      close(s.apAllPoint, e.strict_gt_threshold.ap_voc10_allpoint, `${c.id} strict all-point`);
    }
    if (e.ap_voc07_11pt_numpy_arange_thresholds !== undefined) {
      close(
        vocAp(det, gt, { elevenPointThresholds: 'numpy_arange' }).ap07,
        e.ap_voc07_11pt_numpy_arange_thresholds,
        `${c.id} arange thresholds`,
      );
    }
  }
});

test('fixtures: thresholds exactly k/10 matter (recall exactly 0.3 counts at t = 0.3)', () => {
  const c = apCases.find((k) => k.id === 'recall_hits_0.3_0.6_0.7')!;
  const { det, gt } = inputs(c);
  assert.ok(Math.abs(vocAp(det, gt).ap07 - vocAp(det, gt, { elevenPointThresholds: 'numpy_arange' }).ap07) > 0.05);
});

test('fixtures: voc_map over its classes', () => {
  const m = fixtureCases('voc_ap', 'voc_map');
  assert.is(m.length, 1);
  for (const c of m) {
    const classes = (c.input.class_case_ids as string[]).map((id) => {
      const k = apCases.find((x) => x.id === id)!;
      const { det, gt } = inputs(k);
      return { detections: det, groundTruth: gt };
    });
    close(vocMap(classes).map, c.expected.map_voc07_11pt, `${c.id} map 07`);
    close(vocMap(classes, { use07Metric: false }).map, c.expected.map_voc10_allpoint, `${c.id} map all-point`);
    assert.is(vocMap(classes).aps.length, 3);
  }
});

test('string image ids and errors', () => {
  const r = vocAp({ imageIds: ['a', 'b'], scores: [0.9, 0.8], boxes: [0, 0, 9, 9, 0, 0, 9, 9] }, { imageIds: ['b'], boxes: [0, 0, 9, 9] });
  assert.equal(Array.from(r.labels), [-1, 1]);
  assert.throws(
    () => vocAp({ imageIds: [0], scores: [1, 2], boxes: [0, 0, 1, 1, 0, 0, 1, 1] }, { imageIds: [], boxes: [] }),
    /vocAp: detections: 1 image ids for 2 scores/,
  );
  assert.throws(() => vocAp({ imageIds: [0], scores: [1], boxes: [0, 0, 1] }, { imageIds: [], boxes: [] }), /boxes must be \[1, 4\]/);
  assert.throws(() => vocAp({ imageIds: [], scores: [], boxes: [] }, { imageIds: [], boxes: [] }, { iouThreshold: -1 }), /iouThreshold/);
  assert.throws(() => vocMap([]), /at least one class/);
});

test.run();
