/**
 * Shutdown under load: SIGTERM lets every in-flight request finish, answers requests that arrive during the
 * drain with 503 and Connection: close (never a reset), closes idle keep-alive connections, and exits 0.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { once } from 'node:events';
import { test } from 'node:test';
import { openSocket, parseAnswer } from '../helpers/raw-http.ts';
import { startServer } from '../helpers/server.ts';
import { SECURITY_HEADERS } from '../../src/platform/security/headers.ts';

interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  error?: string;
}

/** One request on a keep-alive agent: its status and headers, or the socket error it met. */
function send(agent: Agent, port: number, method: 'GET' | 'POST', path: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${port}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', (e) => resolve({ status: 0, headers: {}, error: String(e) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, headers: {}, error: e.code ?? String(e) }));
    req.end(body);
  });
}

test('SIGTERM under load: every request gets an HTTP answer, the drain answers 503, idle connections close, exit 0', async () => {
  // A drain long enough for a loaded machine: the test ends it by finishing the in-flight request.
  const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '120000' });
  const agent = new Agent({ keepAlive: true, maxSockets: 40 });
  try {
    // An idle keep-alive connection: the drain must close it.
    const idle = await openSocket(server.port);
    idle.write(`GET /about HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await once(idle, 'data');
    const idleClosed = once(idle, 'close');
    // A request whose body is still arriving holds the drain open while the load and the late requests land.
    const slow = await openSocket(server.port);
    let slowText = '';
    slow.on('data', (d) => (slowText += d.toString('latin1')));
    const body = 'feedbackType=compliment&message=';
    slow.write(`POST /feedback HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length + 5}\r\n\r\n${body}`);
    const slowClosed = once(slow, 'close');

    // ~150 requests, a mix of pages, report steps and form posts; SIGTERM once a third have answered.
    const kinds: [('GET' | 'POST'), string, string?][] = [
      ['GET', '/about'],
      ['GET', '/report'],
      ['GET', '/no-such-page'],
      ['POST', '/report/danger', 'danger=no'],
      ['POST', '/feedback', 'message='],
      ['GET', '/staff/queue'],
    ];
    let answered = 0;
    let signalled = false;
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const [method, path, form] = kinds[i % kinds.length]!;
        const outcome = await send(agent, server.port, method, path, form);
        if (++answered === 50 && !signalled) {
          signalled = true;
          server.proc.kill('SIGTERM');
        }
        return outcome;
      }),
    );
    assert.ok(signalled, 'SIGTERM was sent in the middle of the load');
    const failures = outcomes.filter((o) => o.error || ![200, 303, 400, 404, 503].includes(o.status));
    assert.deepEqual(failures, [], 'every request got an HTTP answer');
    const refused = outcomes.filter((o) => o.status === 503);
    assert.ok(refused.length > 0, 'requests arriving during the drain got 503');
    for (const o of refused) {
      assert.equal(o.headers.connection, 'close');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(o.headers[name.toLowerCase()], value, name);
    }
    // A request arriving after the load is answered 503 too (the drain is still held open).
    const late = await send(new Agent({ keepAlive: false }), server.port, 'GET', '/about');
    assert.equal(late.status, 503);

    // The in-flight request finishes and gets its answer, closing the connection; then the process exits 0.
    assert.equal(server.proc.exitCode, null, 'still draining while a request is in flight');
    slow.write('hello');
    await slowClosed;
    const answer = parseAnswer(slowText);
    assert.equal(answer.status, 303, 'the in-flight feedback was accepted and answered');
    assert.equal(answer.headers.connection, 'close');
    // With nothing left in flight, the idle keep-alive connection is closed by the server.
    await idleClosed;
    // An unref'd timer: once the process has exited it must not hold this test file open for its 20 s.
    const code = await Promise.race([once(server.proc, 'exit').then(([c]) => c as number | null), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
    assert.equal(code, 0, `exit code (output: ${server.output().slice(-2000)})`);
  } finally {
    agent.destroy();
    await server.stop('SIGKILL');
  }
});
