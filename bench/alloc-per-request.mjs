/**
 * A preload (`--import`) that measures what a server allocates per HTTP request: V8's sampling
 * heap profiler, with the objects GC already collected, from the GH_ALLOC_AFTER-th request
 * (default 1000: after warm-up) to exit, written to GH_ALLOC_OUT (default
 * ./alloc-per-request.json) with the number of requests it covers. Read it with
 * `node bench/alloc-per-request.mjs <file>` (bytes per request, by function).
 *
 *   GH_AB_NODE_FLAGS="--import $PWD/bench/alloc-per-request.mjs" GH_AB_DIR=/dev/shm node bench/gateway-ab.js
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

if (process.argv[1] === fileURLToPath(import.meta.url)) report(process.argv[2] ?? 'alloc-per-request.json');
else if (isMainThread) sample();

function sample() {
  const after = Number(process.env.GH_ALLOC_AFTER ?? 1000);
  const session = new Session();
  session.connect();
  let requests = 0;
  let from = -1;
  subscribe('http.server.request.start', () => {
    requests++;
    if (from >= 0 || requests < after) return;
    from = requests;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  });
  process.on('exit', () => {
    if (from < 0) return;
    // In process, the inspector answers synchronously: the profile is written before the exit.
    session.post('HeapProfiler.getSamplingProfile', (err, answer) => {
      if (err) return;
      const out = process.env.GH_ALLOC_OUT ?? 'alloc-per-request.json';
      writeFileSync(out, JSON.stringify({ requests: requests - from + 1, profile: answer.profile }));
    });
  });
}

function report(file) {
  const { requests, profile } = JSON.parse(readFileSync(file, 'utf8'));
  const name = (f) =>
    `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(node_modules|packages)\//, '')}:${f.lineNumber + 1}`;
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const key = name(node.callFrame);
    const here = stack.includes(key) ? stack : [...stack, key];
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const k of here) inclusive.set(k, (inclusive.get(k) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, here);
  };
  walk(profile.head, []);
  const top = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, v]) => `${String(Math.round(v / requests)).padStart(8)} B  ${k}`)
      .join('\n');
  console.log(`${requests} requests, ${Math.round(total / requests)} bytes allocated per request`);
  console.log(`allocated by the function itself:\n${top(self)}`);
  console.log(`allocated within the function (inclusive):\n${top(inclusive)}`);
}
