/**
 * One origin in front of several hub processes, as a load balancer is: the test page (or the
 * bench page) on `/`, and `/events` passed through to whichever process `target` names.
 */
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAGE_HTML } from '../../browser/support/test-server.js';
import type { HubProcess } from './processes.js';

export class Balancer {
  target: HubProcess;
  private readonly server: Server;

  constructor(
    private readonly pageBundle: string,
    target: HubProcess,
  ) {
    this.target = target;
    this.server = createServer((req, res) => this.route(req, res));
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/events') {
      this.pass(req, res);
      return;
    }
    if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(this.pageBundle);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE_HTML);
      return;
    }
    res.writeHead(404).end();
  }

  private pass(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: '127.0.0.1', port: this.target.port, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    upstream.end();
  }
}
