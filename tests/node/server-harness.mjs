// Starts the real release binary on a free port and hands back its address. Shared by the
// Node interop tests and the browser tests, so both talk to exactly what ships.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The binary is built by scripts/test.sh (cargo build --release); the tests build nothing.
const binary = process.env.WERKPLAATS_BIN ?? path.join(repoRoot, 'target', 'release', 'werkplaats');

/**
 * Memory store on a free port by default. `dataDir` switches to the SQLite store there (for
 * restart tests), `bind` fixes the address (to come back on the same port).
 * @param {{ web?: string, dataDir?: string, bind?: string, args?: string[], startTimeoutMs?: number }} [options]
 * @returns {Promise<{ addr: string, http: string, ws: string, log: () => string, kill: () => Promise<void>, stop: () => Promise<void> }>}
 */
export async function startServer(options = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run cargo build --release --bin werkplaats first`);
  }
  const args = options.dataDir
    ? ['--store', 'sqlite', '--data', options.dataDir]
    : ['--store', 'memory'];
  args.push('--bind', options.bind ?? '127.0.0.1:0');
  if (options.web) args.push('--web', options.web);
  args.push(...(options.args ?? []));
  const child = spawn(binary, args, {
    cwd: repoRoot,
    // No colours: the address is parsed from the log line.
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not report its address in time:\n${output}`));
    }, options.startTimeoutMs ?? 15_000);
    const onData = (chunk) => {
      output += chunk.toString();
      // Strip ANSI escapes in case a terminal-style logger ignores NO_COLOR.
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const match = plain.match(/listening on http:\/\/([0-9.]+:[0-9]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  return {
    addr,
    http: `http://${addr}`,
    ws: `ws://${addr}`,
    log: () => output,
    /** SIGKILL: no shutdown, no last flush; what survives is what the store had committed. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // Graceful shutdown closes sockets with 1001; give it a moment, then insist.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** POST JSON and parse the JSON answer; throws with the body on a non-2xx status. */
export async function postJson(base, path, body) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}
