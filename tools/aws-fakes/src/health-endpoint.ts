import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An app's health path served on 127.0.0.1 for a test: `up` (200), `down` (503), or `flapping` (alternating). */
export class HealthEndpoint {
  mode: 'up' | 'down' | 'flapping' = 'up';
  /** Requests answered so far. */
  requests = 0;
  private constructor(private readonly server: Server) {}

  /** Serves a health path at a free port. */
  static async start(): Promise<HealthEndpoint> {
    const server = createServer();
    const endpoint = new HealthEndpoint(server);
    server.on('request', (_req, res) => {
      endpoint.requests++;
      const up = endpoint.mode === 'up' || (endpoint.mode === 'flapping' && endpoint.requests % 2 === 0);
      res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'unavailable');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return endpoint;
  }

  /** The health path's URL (`/ref`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ref`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
