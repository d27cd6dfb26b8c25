/**
 * Servers and proxies for the benches, each in its own process: started,
 * awaited until ready, their CPU read from /proc, stopped.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';

/**
 * Starts a server in its own process (`node ARGS…`) and resolves with the URL
 * it prints as `listening on http://…`; its output is drained from then on.
 */
export async function startServerProcess(args, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, url };
}

/** CPU milliseconds a process has used (user + system), from /proc; NaN elsewhere. */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts `node ARGS…` and resolves once it is ready: a line matching `ready`
 * on its stdout or stderr, or (a port number) once that port accepts.
 */
export async function startProcess(children, { args, env = {}, ready }) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let seen = '';
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before it was ready: ${seen.slice(-300).trim()}`)),
    ),
  );
  exited.catch(() => undefined);
  const matched =
    typeof ready === 'number'
      ? untilListening(ready).then(() => [])
      : new Promise((resolve) => {
          const onData = (chunk) => {
            seen += chunk;
            const match = ready.exec(seen);
            if (match) resolve(match);
          };
          child.stdout.on('data', onData);
          child.stderr.on('data', onData);
        });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after 60 s: ${seen.slice(-300)}`)), 60_000);
  });
  try {
    const match = await Promise.race([matched, exited, timeout]);
    // From here on its output is drained and dropped: a full pipe would stall it.
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
    child.stdout.resume();
    child.stderr.resume();
    return { pid: child.pid, match };
  } finally {
    clearTimeout(timer);
  }
}

async function untilListening(port) {
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after 5 s. */
export function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.kill('SIGTERM');
  });
}

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
