// Starts the real Textback server for a test file: fresh SQLite data directory, a free port,
// the built SPA. `TEXTBACK_BIN` names the server binary (the Makefile builds it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READY = /Textback is serving on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;

/**
 * `{ demo: true }` makes the demo store first (`textback demo`, as `make run` does); its login
 * is then `server.demoLogin`.
 */
export async function startServer({ demo = false } = {}) {
  const bin = process.env.TEXTBACK_BIN;
  if (!bin) {
    throw new Error('Set TEXTBACK_BIN to the textback server binary (e.g. target/debug/textback).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'textback-e2e-'));
  const staticDir = resolve(repoRoot, process.env.STATIC_DIR ?? 'web/dist');
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    BIND_ADDR: '127.0.0.1:0',
    STATIC_DIR: staticDir,
    LOG_FORMAT: 'text',
  };
  let demoLogin = null;
  if (demo) {
    const made = spawnSync(bin, ['demo'], { env, encoding: 'utf8', timeout: 120_000 });
    const login = made.stdout?.match(/Demo login: (\S+) \/ (.+?)\s+\(/);
    if (made.status !== 0 || !login) {
      throw new Error(`textback demo failed (status ${made.status}):\n${made.stdout}\n${made.stderr}`);
    }
    demoLogin = { email: login[1], password: login[2] };
  }
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error(`server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    function fail(error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- server output ---\n${output}`));
    }
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(READY);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1].replace(/\/$/, ''));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
  });

  return {
    url,
    demoLogin,
    /** Holds `jwt_secret`, from which the simulator's webhook signing key is derived. */
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
