'use strict';
// Node addon benchmark: per-call latency, throughput with many calls in flight, and how long
// the event loop is held (JSON.parse of results on the JS thread; everything else runs on the
// libuv pool). Usage:
//   LEANSPEC_NODE_ADDON=build-release/bindings/node/leanspec.node \
//     node bench/node/node_bench.js [project dir, default $LEANSPEC_CORPUS or ../shared/corpus/lean-spec beside the checkout]
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const path = require('node:path');
const leanspec = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

const project =
  process.argv[2] ||
  process.env.LEANSPEC_CORPUS ||
  path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'lean-spec');

function quantiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
}
const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`;

async function latency(name, call, n = 2000) {
  for (let i = 0; i < 100; ++i) await call(); // warm
  const samples = [];
  for (let i = 0; i < n; ++i) {
    const t = performance.now();
    await call();
    samples.push(performance.now() - t);
  }
  const { p50, p99, max } = quantiles(samples);
  console.log(`${name.padEnd(34)} p50 ${fmt(p50).padStart(8)}  p99 ${fmt(p99).padStart(8)}  max ${fmt(max).padStart(8)}`);
}

async function main() {
  const options = await leanspec.discoverOptions(project);
  const source = await leanspec.FilesystemSource.open(options);
  const cache = new leanspec.CachingSource(source);
  const total = (await source.list()).total;
  console.log(`corpus: ${project} (${total} specs), node ${process.version}, libuv pool ${process.env.UV_THREADPOOL_SIZE || 4}`);

  console.log('\n-- one call at a time (awaited), FilesystemSource');
  await latency(`list() all ${total}`, () => source.list());
  await latency('list({limit: 50})', () => source.list({ limit: 50 }));
  await latency("get('42')", () => source.get('42'));
  await latency("get('42', {html: true})", () => source.get('42', { html: true }));
  await latency("search('cache')", () => source.search('cache'));
  await latency('stats()', () => source.stats());
  console.log('-- same through CachingSource (hits)');
  await latency(`list() all ${total}`, () => cache.list());
  await latency("get('42')", () => cache.get('42'));
  await latency("search('cache')", () => cache.search('cache'));

  console.log('\n-- JS-thread cost of a result: JSON.parse of the library JSON');
  for (const [name, json] of [
    [`list() all ${total}`, JSON.stringify(await source.list())],
    ['list({limit: 50})', JSON.stringify(await source.list({ limit: 50 }))],
    ["get('42') (full spec)", JSON.stringify(await source.get('42'))],
    ["search('cache')", JSON.stringify(await source.search('cache'))],
  ]) {
    const n = 500;
    const t = performance.now();
    for (let i = 0; i < n; ++i) JSON.parse(json);
    console.log(`${name.padEnd(34)} ${(json.length / 1024).toFixed(0).padStart(5)} KiB  ${fmt((performance.now() - t) / n)} per parse`);
  }

  // Throughput and event-loop delay with `inFlight` calls outstanding: objects (JSON.parse on
  // the JS thread) against the json calls (the text only), over the CachingSource.
  const mixed = [(s) => s.get('42'), (s) => s.search('cache'), (s) => s.list({ limit: 50 }), (s) => s.stats()];
  for (const inFlight of [16, 256]) {
    console.log(`\n-- 20000 calls, ${inFlight} in flight (get / search / list limit 50 / stats), CachingSource`);
    for (const [label, target] of [['objects', cache], ['json text', cache.json]]) {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      let next = 0;
      const n = 20000;
      const t = performance.now();
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < n) await mixed[next++ % mixed.length](target);
      }));
      const seconds = (performance.now() - t) / 1000;
      histogram.disable();
      console.log(`${label.padEnd(10)} ${(n / seconds).toFixed(0).padStart(6)} calls/s; event-loop delay p50 ${(histogram.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(2)} ms, max ${(histogram.max / 1e6).toFixed(2)} ms`);
    }
  }
  await cache.close();
  await source.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
