import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProbe } from '../../src/index.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ref') return void res.end('db ok, bucket ok');
    if (req.url === '/broken') return void ((res.statusCode = 503), res.end('db down'));
    if (req.url === '/moved') return void ((res.statusCode = 302), res.setHeader('location', '/ref'), res.end());
    // /slow never answers within the probe's deadline
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const probe = new HttpProbe();

describe('HttpProbe', () => {
  it('passes a 2xx answer, and checks the body when asked', async () => {
    expect(await probe.check({ url: `${base}/ref`, timeoutMs: 2_000 })).toMatchObject({ ok: true, status: 200 });
    expect(await probe.check({ url: `${base}/ref`, timeoutMs: 2_000, expectBody: 'bucket ok' })).toMatchObject({ ok: true });
    expect(await probe.check({ url: `${base}/ref`, timeoutMs: 2_000, expectBody: 'all good' })).toMatchObject({
      ok: false,
      error: 'body does not contain "all good"',
    });
  });

  it('fails a 5xx answer and does not follow redirects', async () => {
    expect(await probe.check({ url: `${base}/broken`, timeoutMs: 2_000 })).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
    expect(await probe.check({ url: `${base}/moved`, timeoutMs: 2_000 })).toMatchObject({ ok: false, status: 302 });
  });

  it('gives up at its deadline', async () => {
    const started = Date.now();

    const result = await probe.check({ url: `${base}/slow`, timeoutMs: 200 });

    expect(result).toMatchObject({ ok: false, error: 'timed out after 200ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a refused connection as a failed check, not an exception', async () => {
    expect(await probe.check({ url: 'http://127.0.0.1:1/ref', timeoutMs: 1_000 })).toMatchObject({ ok: false });
  });
});
