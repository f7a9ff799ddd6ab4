/**
 * A TypeScript child process (run through tsx) and typed request → answer messages over its IPC
 * channel, with a time limit on every answer. Its output goes to stderr: the parent's stdout
 * carries only the JSON of `--json`.
 */
import { type ChildProcess, fork } from 'node:child_process';

export interface Message {
  type: string;
}

export class ChildScript<Request extends Message, Reply extends Message> {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts `script` (a .ts file URL) and waits for its first message of type `readyType`. */
  static async start<Request extends Message, Reply extends Message, Ready extends Reply['type']>(
    script: URL,
    readyType: Ready,
    timeoutMs = 30_000,
  ): Promise<{ child: ChildScript<Request, Reply>; ready: Extract<Reply, { type: Ready }> }> {
    const child = new ChildScript<Request, Reply>(
      fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 2, 2, 'ipc'] }),
    );
    const ready = await child.next(readyType, timeoutMs);
    return { child, ready };
  }

  /** The next message of `type`. */
  next<Type extends Reply['type']>(
    type: Type,
    timeoutMs: number,
  ): Promise<Extract<Reply, { type: Type }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        if (reply.type !== type) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(reply as Extract<Reply, { type: Type }>);
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        reject(new Error(`bench: a child process exited (${code}) before sending '${type}'`));
      };
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        reject(new Error(`bench: a child process sent no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Kills it with SIGKILL (a crash: nothing runs) and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  send(request: Request): void {
    this.child.send(request);
  }

  /** Sends `request` and waits for the answer of `type`. */
  ask<Type extends Reply['type']>(
    request: Request,
    type: Type,
    timeoutMs = 30_000,
  ): Promise<Extract<Reply, { type: Type }>> {
    const answer = this.next(type, timeoutMs);
    this.send(request);
    return answer;
  }

  /** Asks the child to stop with `request`; kills it if it has not exited within 5 s. */
  async stop(request: Request): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send(request);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
