#!/usr/bin/env node
// bench.js: the ONNX Runtime side of the benchmark, and the driver that
// alternates it with onnxcc's generated code (bench/run.sh calls it).
//
//   node bench.js measure NAME MODEL.onnx WORKDIR [options]
//       WORKDIR holds timing_harness (built with the model onnxcc compiled)
//       and report.txt (onnxcc --report).  Makes fixed-seed inputs from the
//       compiled model's interface, writes them as WORKDIR/data/input_K.pb
//       (TensorProto) and WORKDIR/in_K.bin, runs ONNX Runtime with 1 and 2
//       intra-op threads and the harness, checks that the outputs agree
//       (ORT's are written as WORKDIR/data/output_K.pb, so
//       `onnxcc-run MODEL.onnx WORKDIR/data --atol 1e-4` checks them again), then times
//       rounds of one run each, in a shuffled order (fixed seed), after a warm-up.  Prints
//       one JSON line.
//     --budget S        seconds of timed rounds (default 20)
//     --min-rounds N    (default 5)   --max-rounds N (default 200)
//     --warmup N        untimed runs of each before timing, after the checking
//                       run (default 2)
//     --rtol R --atol A output check: |x - ref| <= atol + rtol * |ref|
//                       (default 1e-3, 1e-4)
//     --range NAME=LO:HI  input values in [LO, HI) (default -1:1 for
//                       floats, 0:10 for integers)
//     --seed N          (default 1)
//     --flops N         floating-point operations of one run: the table then
//                       also gives GFLOP/s (the SGEMM model)
//   node bench.js table RESULTS.jsonl [--peak GFLOPS]   prints the markdown tables
//   node bench.js imgly PKGDIR KEY OUT.onnx   reassembles model KEY of an
//       @imgly package from the chunks listed in PKGDIR/dist/resources.json
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

function die(msg) {
  process.stderr.write(`bench.js: ${msg}\n`);
  process.exit(1);
}

function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    die(`cannot load onnxruntime-node (${e.message}); run bench/run.sh, which installs it`);
  }
  return null;
}

// ---- element types: ONNX TensorProto.DataType -> ORT type and typed array
const TYPES = {
  1: { ort: 'float32', arr: Float32Array, kind: 'float' },
  2: { ort: 'uint8', arr: Uint8Array, kind: 'int' },
  3: { ort: 'int8', arr: Int8Array, kind: 'int' },
  4: { ort: 'uint16', arr: Uint16Array, kind: 'int' },
  5: { ort: 'int16', arr: Int16Array, kind: 'int' },
  6: { ort: 'int32', arr: Int32Array, kind: 'int' },
  7: { ort: 'int64', arr: BigInt64Array, kind: 'bigint' },
  9: { ort: 'bool', arr: Uint8Array, kind: 'bool' },
  10: { ort: 'float16', arr: Uint16Array, kind: 'half' },
  11: { ort: 'float64', arr: Float64Array, kind: 'float' },
  12: { ort: 'uint32', arr: Uint32Array, kind: 'int' },
  13: { ort: 'uint64', arr: BigUint64Array, kind: 'bigint' },
};

// ---- a small fixed-seed generator (mulberry32)
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s) {
  let h = 2166136261;
  for (const c of Buffer.from(s)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(x) { // float -> IEEE half bits, round to nearest even (normal range only here)
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000, e = ((b >>> 23) & 0xff) - 127 + 15;
  let m = b & 0x7fffff;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00;
  let h = sign | (e << 10) | (m >>> 13);
  m &= 0x1fff;
  if (m > 0x1000 || (m === 0x1000 && (h & 1))) h++;
  return h;
}
function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function makeInput(info, random, range) {
  const t = TYPES[info.elem_type];
  if (!t) die(`input '${info.name}': element type ${info.elem_type} is not supported by the benchmark`);
  const n = info.shape.reduce((a, b) => a * b, 1);
  const data = new t.arr(n);
  const isFloat = t.kind === 'float' || t.kind === 'half';
  const [lo, hi] = range || (isFloat ? [-1, 1] : [0, 10]);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (t.kind === 'float') data[i] = lo + (hi - lo) * u;
    else if (t.kind === 'half') data[i] = toHalf(lo + (hi - lo) * u);
    else if (t.kind === 'bool') data[i] = u < 0.5 ? 0 : 1;
    else if (t.kind === 'bigint') data[i] = BigInt(Math.floor(lo + (hi - lo) * u));
    else data[i] = Math.floor(lo + (hi - lo) * u);
  }
  return data;
}

// ---- TensorProto writer: dims (1), data_type (2), name (8), raw_data (9)
function varint(n) {
  const out = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
function tensorProto(name, elemType, dims, bytes) {
  const parts = [];
  for (const d of dims) parts.push(Buffer.from([0x08]), varint(d));
  parts.push(Buffer.from([0x10]), varint(elemType));
  const nm = Buffer.from(name);
  parts.push(Buffer.from([0x42]), varint(nm.length), nm);
  parts.push(Buffer.from([0x4a]), varint(bytes.length), bytes);
  return Buffer.concat(parts);
}
function bytesOf(typed) {
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}

// ---- the onnxcc harness, driven line by line
class Harness {
  constructor(bin, dir) {
    this.proc = spawn(bin, [dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.buf = '';
    this.lines = [];
    this.waiting = null;
    this.proc.stdout.on('data', (d) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      this.wake();
    });
    this.proc.on('exit', (code, sig) => {
      this.exited = `the onnxcc harness exited (${sig || code})`;
      this.wake();
    });
    this.proc.on('error', (e) => {
      this.exited = `cannot start the onnxcc harness: ${e.message}`;
      this.wake();
    });
  }
  wake() {
    if (this.waiting && (this.lines.length || this.exited)) {
      const w = this.waiting;
      this.waiting = null;
      w();
    }
  }
  async line() {
    while (!this.lines.length) {
      if (this.exited) throw new Error(this.exited);
      await new Promise((r) => { this.waiting = r; });
    }
    const l = this.lines.shift();
    if (l.startsWith('error')) throw new Error(`onnxcc harness: ${l}`);
    return l;
  }
  async cmd(c) {
    this.proc.stdin.write(c + '\n');
    return this.line();
  }
  async run(n) {
    return (await this.cmd(`run ${n}`)).split(' ').map(Number);
  }
  close() {
    this.proc.stdin.end();
  }
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function compare(name, type, got, want, rtol, atol) {
  const t = TYPES[type];
  const n = want.length;
  let bad = 0, maxAbs = 0, maxRel = 0, first = -1;
  for (let i = 0; i < n; i++) {
    let g = got[i], w = want[i];
    if (t.kind === 'bigint') { g = Number(g); w = Number(w); }
    if (t.kind === 'half') { g = fromHalf(g); w = fromHalf(w); }
    if (Number.isNaN(g) && Number.isNaN(w)) continue;
    if (g === w) continue; // also equal infinities
    const d = Math.abs(g - w);
    const ok = t.kind === 'float' || t.kind === 'half' ? d <= atol + rtol * Math.abs(w) : false;
    if (!(d <= maxAbs)) maxAbs = d;
    const r = d / Math.max(Math.abs(w), 1e-30);
    if (Number.isFinite(r) && r > maxRel) maxRel = r;
    if (!ok) { bad++; if (first < 0) first = i; }
  }
  return { name, n, bad, maxAbs, maxRel, first, firstGot: first >= 0 ? Number(got[first]) : null,
    firstWant: first >= 0 ? Number(want[first]) : null };
}

function parseArgs(argv) {
  const o = { budget: 20, minRounds: 5, maxRounds: 200, warmup: 2, rtol: 1e-3, atol: 1e-4, seed: 1, ranges: {} };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--budget') o.budget = Number(v());
    else if (a === '--min-rounds') o.minRounds = Number(v());
    else if (a === '--max-rounds') o.maxRounds = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--rtol') o.rtol = Number(v());
    else if (a === '--atol') o.atol = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--flops') o.flops = Number(v());
    else if (a === '--range') {
      const m = /^(.+)=(-?[0-9.e+-]+):(-?[0-9.e+-]+)$/.exec(v());
      if (!m) die('--range takes NAME=LO:HI');
      o.ranges[m[1]] = [Number(m[2]), Number(m[3])];
    } else if (a.startsWith('--')) die(`unknown option ${a}`);
    else pos.push(a);
  }
  return { o, pos };
}

async function measure(name, model, dir, o) {
  const ort = loadOrt();
  const log = (s) => process.stderr.write(`  [${name}] ${s}\n`);
  const report = fs.readFileSync(path.join(dir, 'report.txt'), 'utf8');
  const rm = /arena: (\d+) bytes \(lower bound (\d+)/.exec(report);
  if (!rm) die(`${dir}/report.txt has no arena line`);

  const h = new Harness(path.join(dir, 'timing_harness'), dir);
  const info = JSON.parse(await h.line());
  // The model compiled with --threads 2, when run.sh could build it.
  const h2 = fs.existsSync(path.join(dir, 'timing_harness2'))
    ? new Harness(path.join(dir, 'timing_harness2'), dir) : null;
  if (h2) await h2.line();
  // The LLVM backend's object with the same harness, when run.sh could build it.
  const hl = fs.existsSync(path.join(dir, 'timing_harness_llvm'))
    ? new Harness(path.join(dir, 'timing_harness_llvm'), dir) : null;
  if (hl) await hl.line();

  // Inputs: fixed-seed values for the compiled (static) shapes.
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const random = rng(hashString(name) ^ o.seed);
  const feeds = {};
  info.inputs.forEach((inp, k) => {
    const data = makeInput(inp, random, o.ranges[inp.name]);
    const bytes = bytesOf(data);
    if (bytes.length !== inp.nbytes) die(`input '${inp.name}': ${bytes.length} bytes made, the model takes ${inp.nbytes}`);
    fs.writeFileSync(path.join(dir, `in_${k}.bin`), bytes);
    fs.writeFileSync(path.join(dataDir, `input_${k}.pb`), tensorProto(inp.name, inp.elem_type, inp.shape, bytes));
    feeds[inp.name] = new ort.Tensor(TYPES[inp.elem_type].ort, data, inp.shape);
  });
  await h.cmd('load');
  if (h2) await h2.cmd('load');
  if (hl) await hl.cmd('load');

  const opts = (n) => ({ intraOpNumThreads: n, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all' });
  const s1 = await ort.InferenceSession.create(model, opts(1));
  const s2 = await ort.InferenceSession.create(model, opts(2));
  for (const inp of info.inputs)
    if (!s1.inputNames.includes(inp.name)) die(`ORT has no input '${inp.name}' (it has ${s1.inputNames.join(', ')})`);

  // One run of each, and the outputs must agree.
  const first = {};
  let t0 = process.hrtime.bigint();
  const r1 = await s1.run(feeds);
  first.ort1 = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  await s2.run(feeds);
  first.ort2 = Number(process.hrtime.bigint() - t0) / 1e6;
  first.onnxcc = (await h.run(1))[0];
  await h.cmd('save');
  const checks = info.outputs.map((out, k) => {
    const ref = r1[out.name];
    if (!ref) die(`ORT has no output '${out.name}'`);
    const raw = fs.readFileSync(path.join(dir, `out_${k}.bin`));
    const t = TYPES[out.elem_type];
    if (!t) die(`output '${out.name}': element type ${out.elem_type} is not supported by the benchmark`);
    if (raw.length !== ref.data.byteLength)
      return { name: out.name, n: ref.data.length, bad: ref.data.length, maxAbs: Infinity, maxRel: Infinity,
        note: `size ${raw.length} vs ORT ${ref.data.byteLength} bytes (ORT dims ${ref.dims})` };
    const ab = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
    fs.writeFileSync(path.join(dataDir, `output_${k}.pb`), tensorProto(out.name, out.elem_type, out.shape, bytesOf(ref.data)));
    return compare(out.name, out.elem_type, new t.arr(ab), ref.data, o.rtol, o.atol);
  });
  // the threaded code's and the LLVM backend's outputs must agree with ORT's too
  const checkAlso = async (hh, key, label) => {
    first[key] = (await hh.run(1))[0];
    await hh.cmd('save');
    info.outputs.forEach((out, k) => {
      const ref = r1[out.name], t = TYPES[out.elem_type];
      const raw = fs.readFileSync(path.join(dir, `out_${k}.bin`));
      const c = raw.length !== ref.data.byteLength
        ? { name: out.name, n: ref.data.length, bad: ref.data.length, maxAbs: Infinity, maxRel: Infinity, note: 'size' }
        : compare(out.name, out.elem_type, new t.arr(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)),
          ref.data, o.rtol, o.atol);
      c.name = `${out.name} (${label})`;
      checks.push(c);
    });
  };
  if (h2) await checkAlso(h2, 'onnxcc2', '--threads 2');
  if (hl) await checkAlso(hl, 'llvm', 'LLVM backend');
  // `agree`: the C backend's code (1 and 2 threads); the LLVM object's is llvm_agree
  const agree = checks.every((c) => c.bad === 0 || c.name.endsWith('(LLVM backend)'));
  for (const c of checks)
    if (c.bad) log(`output '${c.name}': ${c.bad} of ${c.n} values differ beyond tolerance` +
      (c.note ? ` (${c.note})` : ` (first at ${c.first}: onnxcc ${c.firstGot}, ORT ${c.firstWant}); max abs ${c.maxAbs}`));

  // Warm-up, then rounds of one run each in a shuffled order.
  const runners = {
    ort1: async () => { const t0 = process.hrtime.bigint(); await s1.run(feeds); return Number(process.hrtime.bigint() - t0) / 1e6; },
    ort2: async () => { const t0 = process.hrtime.bigint(); await s2.run(feeds); return Number(process.hrtime.bigint() - t0) / 1e6; },
    onnxcc: async () => (await h.run(1))[0],
  };
  if (h2) runners.onnxcc2 = async () => (await h2.run(1))[0];
  if (hl) runners.llvm = async () => (await hl.run(1))[0];
  const keys = Object.keys(runners);
  const est = {};
  for (const k of keys) {
    const ts = [];
    for (let i = 0; i < o.warmup; i++) ts.push(await runners[k]());
    est[k] = ts.length ? Math.min(...ts) : first[k]; // --warmup 0: the checking run was the warm-up
  }
  const perRound = keys.reduce((a, k) => a + est[k], 0);
  const rounds = Math.max(o.minRounds, Math.min(o.maxRounds, Math.floor((o.budget * 1000) / perRound)));
  log(`${o.warmup ? 'warm-up' : 'first run'}: ORT 1T ${est.ort1.toFixed(2)} ms, ORT 2T ${est.ort2.toFixed(2)} ms, onnxcc ${est.onnxcc.toFixed(2)} ms` +
    (h2 ? `, onnxcc 2T ${est.onnxcc2.toFixed(2)} ms` : '') +
    (hl ? `, onnxcc LLVM ${est.llvm.toFixed(2)} ms` : '') + `; ${rounds} rounds`);
  // A new order each round: in a fixed rotation each runner would always
  // follow the same one (onnxcc after ORT 2T, whose worker threads spin on
  // after its run), and whatever that one leaves behind would weigh on it alone.
  const times = { ort1: [], ort2: [], onnxcc: [], onnxcc2: [], llvm: [] };
  const rand = rng(o.seed);
  for (let r = 0; r < rounds; r++) {
    const order = [...keys];
    for (let j = order.length - 1; j > 0; j--) {
      const i = Math.floor(rand() * (j + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) times[k].push(await runners[k]());
  }
  h.close();
  if (h2) h2.close();
  if (hl) hl.close();
  // the LLVM object's outputs on their own (the C code's agreement is `agree`)
  const llvmChecks = checks.filter((c) => c.name.endsWith('(LLVM backend)'));
  const res = {
    name, model, rounds, flops: o.flops,
    ort1_ms: median(times.ort1), ort2_ms: median(times.ort2), onnxcc_ms: median(times.onnxcc),
    onnxcc2_ms: h2 ? median(times.onnxcc2) : null,
    llvm_ms: hl ? median(times.llvm) : null, llvm_min_ms: hl ? Math.min(...times.llvm) : null,
    llvm_agree: hl ? llvmChecks.every((c) => c.bad === 0) : null,
    ort1_min_ms: Math.min(...times.ort1), onnxcc_min_ms: Math.min(...times.onnxcc),
    arena: Number(rm[1]), arena_lower_bound: Number(rm[2]),
    agree, max_abs_err: Math.max(...checks.map((c) => c.maxAbs)),
    max_rel_err: Math.max(...checks.map((c) => c.maxRel)),
    checks,
  };
  process.stdout.write(JSON.stringify(res) + '\n');
}

function fmtMs(x) {
  if (x === undefined || x === null || !Number.isFinite(x)) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function table(file, peak) {
  const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const out = [];
  out.push('| model | ORT 1T ms | ORT 2T ms | onnxcc ms | onnxcc/ORT 1T | same, best runs | onnxcc 2T ms | onnxcc 1T/2T | onnxcc 2T/ORT 2T | onnxcc LLVM ms | LLVM/C | arena bytes (lower bound) | outputs agree |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  const ratios = [], minRatios = [], llvmRatios = [], llvmMinRatios = [];
  for (const r of rows) {
    if (r.skipped) {
      out.push(`| ${r.name} | - | - | - | - | - | - | - | - | - | - | - | skipped: ${r.skipped.replace(/\|/g, '\\|')} |`);
      continue;
    }
    const ratio = r.onnxcc_ms / r.ort1_ms, minRatio = r.onnxcc_min_ms / r.ort1_min_ms;
    if (r.agree) { ratios.push(ratio); minRatios.push(minRatio); }
    const arena = r.arena_lower_bound > 0
      ? `${r.arena} (${r.arena_lower_bound}, ${(r.arena / r.arena_lower_bound).toFixed(3)}x)`
      : `${r.arena} (${r.arena_lower_bound})`;
    const agree = r.agree && r.llvm_agree !== false ? `yes (max abs err ${r.max_abs_err.toExponential(1)})`
      : `NO: ${r.checks.filter((c) => c.bad).map((c) => `${c.name} ${c.bad}/${c.n} off`).join(', ')}`;
    const t2 = r.onnxcc2_ms ? `${fmtMs(r.onnxcc2_ms)} | ${(r.onnxcc_ms / r.onnxcc2_ms).toFixed(2)} | ${(r.onnxcc2_ms / r.ort2_ms).toFixed(2)}` : '- | - | -';
    // LLVM/C: both single-threaded, medians; only where the LLVM object's outputs agree with ORT's
    const llvm = r.llvm_ms ? `${fmtMs(r.llvm_ms)} | ${(r.llvm_ms / r.onnxcc_ms).toFixed(2)}` : '- | -';
    if (r.llvm_ms && r.llvm_agree) {
      llvmRatios.push(r.llvm_ms / r.onnxcc_ms);
      llvmMinRatios.push(r.llvm_min_ms / r.onnxcc_min_ms);
    }
    out.push(`| ${r.name} | ${fmtMs(r.ort1_ms)} | ${fmtMs(r.ort2_ms)} | ${fmtMs(r.onnxcc_ms)} | ${ratio.toFixed(2)} | ${minRatio.toFixed(2)} | ${t2} | ${llvm} | ${arena} | ${agree} |`);
  }
  const gmean = (a) => Math.exp(a.reduce((x, y) => x + Math.log(y), 0) / a.length);
  if (ratios.length) {
    out.push('');
    out.push(`Geometric mean of onnxcc/ORT 1T over the ${ratios.length} models whose outputs agree: ` +
      `${gmean(ratios).toFixed(2)} (medians), ${gmean(minRatios).toFixed(2)} (best runs).`);
  }
  if (llvmRatios.length) {
    out.push('');
    out.push(`Geometric mean of LLVM/C (the LLVM backend's object against the C backend's code, both 1 thread) ` +
      `over the ${llvmRatios.length} models whose LLVM outputs agree: ` +
      `${gmean(llvmRatios).toFixed(2)} (medians), ${gmean(llvmMinRatios).toFixed(2)} (best runs); ` +
      `worst ${Math.max(...llvmRatios).toFixed(2)} (target: within 1.10).`);
  }
  const gemm = rows.filter((r) => r.flops && !r.skipped);
  if (gemm.length) {
    out.push('');
    out.push(`| SGEMM | onnxcc GFLOP/s | ORT 1T GFLOP/s | onnxcc, % of peak | ORT 1T, % of peak |`);
    out.push('| --- | ---: | ---: | ---: | ---: |');
    for (const r of gemm) {
      const g = (ms) => r.flops / (ms * 1e6);
      const pct = (ms) => (peak ? `${((100 * g(ms)) / peak).toFixed(1)}%` : '-');
      out.push(`| ${r.name} (median run) | ${g(r.onnxcc_ms).toFixed(1)} | ${g(r.ort1_ms).toFixed(1)} | ${pct(r.onnxcc_ms)} | ${pct(r.ort1_ms)} |`);
      out.push(`| ${r.name} (best run) | ${g(r.onnxcc_min_ms).toFixed(1)} | ${g(r.ort1_min_ms).toFixed(1)} | ${pct(r.onnxcc_min_ms)} | ${pct(r.ort1_min_ms)} |`);
    }
    if (peak) out.push(`\nPeak: ${peak} GFLOP/s single thread, measured by bench/fma_peak.c.`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

// An @imgly package lists each model as chunks of dist/ in dist/resources.json.
function imgly(pkgDir, key, outFile) {
  const res = JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', 'resources.json'), 'utf8'));
  const entry = res[key];
  if (!entry) die(`${pkgDir}/dist/resources.json has no '${key}' (it has ${Object.keys(res).join(', ')})`);
  const parts = entry.chunks.map((c) => {
    const b = fs.readFileSync(path.join(pkgDir, 'dist', c.hash));
    if (b.length !== c.offsets[1] - c.offsets[0]) die(`chunk ${c.hash} has ${b.length} bytes, expected ${c.offsets[1] - c.offsets[0]}`);
    return b;
  });
  const all = Buffer.concat(parts);
  if (entry.size !== undefined && all.length !== entry.size) die(`${key}: ${all.length} bytes, expected ${entry.size}`);
  fs.writeFileSync(outFile + '.tmp', all);
  fs.renameSync(outFile + '.tmp', outFile);
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'measure') {
    const { o, pos } = parseArgs(rest);
    if (pos.length !== 3) die('usage: bench.js measure NAME MODEL.onnx WORKDIR [options]');
    await measure(pos[0], pos[1], pos[2], o);
  } else if (cmd === 'table') {
    if (rest.length !== 1 && !(rest.length === 3 && rest[1] === '--peak')) die('usage: bench.js table RESULTS.jsonl [--peak GFLOPS]');
    table(rest[0], rest.length === 3 ? Number(rest[2]) : 0);
  } else if (cmd === 'imgly') {
    if (rest.length !== 3) die('usage: bench.js imgly PKGDIR KEY OUT.onnx');
    imgly(rest[0], rest[1], rest[2]);
  } else {
    die('usage: bench.js measure NAME MODEL.onnx WORKDIR [options] | table RESULTS.jsonl [--peak G] | imgly PKGDIR KEY OUT');
  }
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
