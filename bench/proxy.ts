/**
 * A TCP proxy in front of a test server that can take the server away as networks do: `pass`
 * forwards every connection; `refuse` closes each new one at once (the browser sees a network
 * error straight away); `hang` accepts and never answers (the browser waits until it gives up).
 * Leaving `pass` cuts every open connection, as a server going away would. Every connection is
 * logged with when it arrived, in which mode, and its first request line when one came.
 */
import net from 'node:net';
import { wallNow } from './browser.js';

export type ProxyMode = 'pass' | 'refuse' | 'hang';

export interface ProxiedConnection {
  /** Epoch ms (sub-ms) when the proxy accepted it. */
  at: number;
  mode: ProxyMode;
  /** `GET /events?… HTTP/1.1`, once the first bytes came (never, when refused at once). */
  requestLine: string | null;
}

export class BreakableProxy {
  readonly connections: ProxiedConnection[] = [];
  private mode: ProxyMode = 'pass';
  private readonly open = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` there. */
  static async start(targetPort: number): Promise<BreakableProxy> {
    let proxy: BreakableProxy | undefined;
    const server = net.createServer((socket) => proxy!.accept(socket, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new BreakableProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches mode; leaving `pass` cuts every connection it forwards. */
  setMode(mode: ProxyMode): void {
    if (this.mode === 'pass' && mode !== 'pass') {
      for (const socket of this.open) socket.destroy();
    }
    this.mode = mode;
  }

  /** The connections that asked for a stream, or were refused before they could say. */
  streamAttempts(since = 0): ProxiedConnection[] {
    return this.connections.filter(
      (connection) =>
        connection.at >= since &&
        (connection.requestLine === null
          ? connection.mode === 'refuse'
          : connection.requestLine.startsWith('GET /events')),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: net.Socket, targetPort: number): void {
    const connection: ProxiedConnection = { at: wallNow(), mode: this.mode, requestLine: null };
    this.connections.push(connection);
    if (this.mode === 'refuse') {
      // A reset, as a port nothing listens on answers (but the attempt is seen).
      socket.resetAndDestroy();
      return;
    }
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      connection.requestLine = chunk.toString('latin1').split('\r\n', 1)[0] ?? '';
    });
    // Hanging: the request is read (and logged) and never answered.
    if (this.mode === 'hang') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    this.open.add(upstream);
    upstream.once('close', () => {
      this.open.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => {});
    socket.once('close', () => upstream.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  }
}
