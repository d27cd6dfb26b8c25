import { parentPort } from 'node:worker_threads';
import { type VerifyRange, verifyRange } from './verify-range.js';

// A pooled verifier thread (see parallel-verify.ts): it verifies one range per message, for as
// long as the process keeps it.
if (parentPort) {
  const port = parentPort;
  port.on('message', (range: VerifyRange) => {
    verifyRange(range).then(
      (verified) => port.postMessage({ verified }),
      (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}
