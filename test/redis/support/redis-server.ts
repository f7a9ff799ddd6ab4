/**
 * A real `redis-server` (Debian's package) on a free port of 127.0.0.1, for one test file: no
 * persistence (`--save '' --appendonly no`), so a kill and a restart lose every key, like a
 * Redis without persistence restarting in production.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';
const INSTALL_COMMAND = 'apt-get update && apt-get install -y redis-server';

/** Installs Debian's redis-server when it is missing and we are root; otherwise says how. */
export function ensureRedisServer(): void {
  if (existsSync(REDIS_SERVER_PATH)) return;
  if (process.getuid?.() === 0) {
    console.log(`redis tests: ${REDIS_SERVER_PATH} is missing, running: ${INSTALL_COMMAND}`);
    execSync(INSTALL_COMMAND, { stdio: 'inherit', shell: '/bin/sh' });
    if (existsSync(REDIS_SERVER_PATH)) return;
  }
  throw new Error(
    `the redis tests need ${REDIS_SERVER_PATH}. Install it with: ${INSTALL_COMMAND} (as root)`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers PING (a raw RESP exchange: no client library needed). */
async function answersPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500, () => socket.destroy());
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        resolve(data.toString().startsWith('+PONG'));
        socket.destroy();
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    ensureRedisServer();
    const server = new RedisServer(await freePort());
    await server.spawn();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills it (SIGKILL: no goodbye to clients) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  stop(): Promise<void> {
    return this.kill();
  }

  private async spawn(): Promise<void> {
    const child = spawn(
      REDIS_SERVER_PATH,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    await answersPing(this.port, 10_000);
  }
}
