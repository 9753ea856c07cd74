// wasm-opt over many files in one process, for `cargo xtask build --release`.
//
// npm's binaryen is binaryen compiled to WASM, run by Node: its `wasm-opt` command compiles
// that anew in every process (0.35 s), and a short run never gets past Node's baseline
// compiler. Over this site's 150-odd chunks, one process per core running binaryen's own JS
// API with the same flags is six times faster (the chunks: 25 s against 148 s, one core), and
// its output is byte for byte the command's.
//
// usage: node optimize.mjs <binaryen's index.js> <wasm-opt flags>... -- <file.wasm>...
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [binaryenPath, ...rest] = process.argv.slice(2);
const separator = rest.indexOf("--");
if (!binaryenPath || separator < 0) {
  throw new Error("usage: node optimize.mjs <binaryen's index.js> <flags>... -- <file.wasm>...");
}
const flags = rest.slice(0, separator);
const files = rest.slice(separator + 1);
const { default: binaryen } = await import(pathToFileURL(binaryenPath).href);

const featureNames = {
  "bulk-memory": binaryen.Features.BulkMemory,
  "nontrapping-float-to-int": binaryen.Features.NontrappingFPToInt,
  "sign-ext": binaryen.Features.SignExt,
  "mutable-globals": binaryen.Features.MutableGlobals,
  "reference-types": binaryen.Features.ReferenceTypes,
  multivalue: binaryen.Features.Multivalue,
  simd: binaryen.Features.SIMD128,
};

// What the command does, in the order of its flags: the -O level's passes, or one pass.
const steps = [];
let features = 0;
for (const flag of flags) {
  const level = /^-O([0-4sz])$/.exec(flag);
  const enable = /^--enable-(.+)$/.exec(flag);
  const pass = /^--([a-z0-9-]+)$/.exec(flag);
  if (level) {
    const [optimize, shrink] = { s: [2, 1], z: [2, 2] }[level[1]] ?? [Number(level[1]), 0];
    binaryen.setOptimizeLevel(optimize);
    binaryen.setShrinkLevel(shrink);
    // The command optimises the binary's stack form too from -O2 on, as it writes it.
    binaryen.setGenerateStackIR(optimize >= 2);
    binaryen.setOptimizeStackIR(optimize >= 2);
    steps.push((module) => module.optimize());
  } else if (enable) {
    if (!(enable[1] in featureNames)) throw new Error(`unknown feature in ${flag}`);
    features |= featureNames[enable[1]];
  } else if (pass) {
    steps.push((module) => module.runPasses([pass[1]]));
  } else {
    throw new Error(`unknown wasm-opt flag ${flag}`);
  }
}
binaryen.setDebugInfo(false);

for (const file of files) {
  const module = binaryen.readBinary(readFileSync(file));
  module.setFeatures(module.getFeatures() | features);
  if (!module.validate()) throw new Error(`${file} is not a valid WASM module`);
  for (const step of steps) step(module);
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
