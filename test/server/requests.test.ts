import { describe, expect, it } from 'vitest';
import { startHub } from './harness';

async function expectError(response: Response, status: number, body: object) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual(body);
}

describe('authorization', () => {
  it('answers 401 with nothing but the code when authorize finds no user', async () => {
    const test = await startHub({ authorize: () => null });

    const response = await test.request({ topics: 'a' }, { headers: { cookie: 'sid=expired' } });

    expect(await response.clone().text()).toBe('{"error":"unauthorized"}');
    await expectError(response, 401, { error: 'unauthorized' });
    expect(test.hub.stats().openStreams).toBe(0);
  });

  it('answers 500 when authorize throws, and logs the error without the request headers', async () => {
    const test = await startHub({
      authorize: async () => {
        throw new Error('session store unreachable');
      },
    });

    const response = await test.request(
      { topics: 'a' },
      { headers: { authorization: 'Bearer SECRET-TOKEN', cookie: 'sid=SECRET-COOKIE' } },
    );

    await expectError(response, 500, { error: 'internal' });
    expect(test.logged).toHaveLength(1);
    expect(test.logged[0]).toContain('authorize');
    expect(test.logged[0]).toContain('session store unreachable');
    expect(test.logged[0]).not.toContain('SECRET');
  });

  it('answers 500 and logs when the default userKey cannot key the user', async () => {
    const test = await startHub({ authorize: () => ({ name: 'no id' }) as never });

    await expectError(await test.request({ topics: 'a' }), 500, { error: 'internal' });
    expect(test.logged[0]).toMatch(/userKey.*pass the userKey option/);
  });

  it('answers 403 naming the forbidden topic, JSON-encoded', async () => {
    const test = await startHub({
      allowTopic: async (user, topic) => topic !== 'admin:"x"' && user.id === 'alice',
      topicPattern: /^[a-z:"]+$/,
    });

    await expectError(await test.request({ topics: 'a,admin:"x"' }, { user: 'alice' }), 403, {
      error: 'forbidden_topic',
      reason: 'topic "admin:\\"x\\"" is not allowed',
    });
    await expectError(await test.request({ topics: 'a' }, { user: 'bob' }), 403, {
      error: 'forbidden_topic',
      reason: 'topic "a" is not allowed',
    });
  });

  it('asks allowTopic about every requested topic of the user', async () => {
    const asked: string[] = [];
    const test = await startHub({
      allowTopic: (user, topic) => {
        asked.push(`${user.id}:${topic}`);
        return true;
      },
    });

    await test.open({ topics: 'a,b' }, { user: 'alice' });

    expect(asked).toEqual(['alice:a', 'alice:b']);
  });

  it('answers 500 and logs when allowTopic throws', async () => {
    const test = await startHub({
      allowTopic: () => {
        throw new Error('acl service down');
      },
    });

    await expectError(await test.request({ topics: 'a' }, { user: 'alice' }), 500, {
      error: 'internal',
    });
    expect(test.logged[0]).toMatch(/allowTopic.*acl service down/);
  });
});

describe('topic validation', () => {
  const invalidTopics = (reason: RegExp) => ({
    error: 'invalid_topics',
    reason: expect.stringMatching(reason),
  });

  it('rejects a missing or empty topics parameter', async () => {
    const test = await startHub();

    await expectError(
      await test.request({}, { user: 'alice' }),
      400,
      invalidTopics(/missing or empty/),
    );
    await expectError(
      await test.request({ topics: '' }, { user: 'alice' }),
      400,
      invalidTopics(/missing or empty/),
    );
  });

  it('rejects an empty topic inside the list', async () => {
    const test = await startHub();

    await expectError(
      await test.request({ topics: 'a,,b' }, { user: 'alice' }),
      400,
      invalidTopics(/"" is empty/),
    );
  });

  it('rejects CR and LF even when the pattern would allow them', async () => {
    const test = await startHub({ topicPattern: /^[\s\S]+$/ });

    const response = await fetch(`${test.url({})}&topics=a%0D%0Aevent:%20x`, {
      headers: { 'x-user': 'alice' },
    });

    await expectError(
      response,
      400,
      invalidTopics(/^topic "a\\r\\nevent: x" contains CR, LF or a comma$/),
    );
  });

  it('rejects a topic longer than maxTopicLength', async () => {
    const test = await startHub({ maxTopicLength: 10 });

    await test.open({ topics: 'x'.repeat(10) }, { user: 'alice' });
    await expectError(
      await test.request({ topics: 'x'.repeat(11) }, { user: 'alice' }),
      400,
      invalidTopics(/longer than 10 characters/),
    );
  });

  it('rejects more than maxTopics topics', async () => {
    const test = await startHub({ maxTopics: 3 });

    await test.open({ topics: 'a,b,c' }, { user: 'alice' });
    await expectError(
      await test.request({ topics: 'a,b,c,d' }, { user: 'alice' }),
      400,
      invalidTopics(/too many topics: 4 \(at most 3\)/),
    );
  });

  it('rejects a topic outside the allowlist pattern', async () => {
    const test = await startHub();

    await expectError(
      await test.request({ topics: 'ok,not ok' }, { user: 'alice' }),
      400,
      invalidTopics(/"not ok" does not match/),
    );
    await expectError(
      await test.request({ topics: 'ünïcode' }, { user: 'alice' }),
      400,
      invalidTopics(/does not match/),
    );
  });

  it('removes duplicate topics, keeping request order', async () => {
    const connected: (readonly string[])[] = [];
    const test = await startHub({
      maxTopics: 2,
      onConnect: (info) => {
        connected.push(info.topics);
      },
    });

    await test.open({ topics: 'b,a,b,a,b' }, { user: 'alice' });

    expect(connected).toEqual([['b', 'a']]);
    expect(test.hub.stats().streamsByTopic).toEqual({ a: 1, b: 1 });
  });

  it('rejects a huge topic list quickly and keeps serving', async () => {
    const test = await startHub({}, { maxHeaderSize: 1024 * 1024 });
    const topics = Array.from({ length: 10_000 }, (_, index) => `topic-${index}`).join(',');
    expect(topics.length).toBeGreaterThan(100_000);

    const started = performance.now();
    const response = await test.request({ topics }, { user: 'alice' });

    await expectError(response, 400, invalidTopics(/too many topics: 10000 \(at most 32\)/));
    expect(performance.now() - started).toBeLessThan(1000);
    await test.open({ topics: 'a' }, { user: 'alice' });
  });

  it('rejects a clientId that is not 1-128 printable ASCII characters', async () => {
    const test = await startHub();

    await expectError(
      await test.request({ topics: 'a', clientId: 'x'.repeat(129) }, { user: 'alice' }),
      400,
      {
        error: 'invalid_client_id',
        reason: expect.stringMatching(/clientId/),
      },
    );
  });
});

describe('request shape and capacity', () => {
  it('answers 405 to anything but GET', async () => {
    const test = await startHub();

    const response = await test.request({ topics: 'a' }, { user: 'alice', method: 'POST' });

    await expectError(response, 405, { error: 'method_not_allowed' });
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('answers 503 with Retry-After beyond maxStreams', async () => {
    const test = await startHub({ maxStreams: 2, retryAfterSeconds: 7 });
    await test.open({ topics: 'a' }, { user: 'alice' });
    await test.open({ topics: 'a' }, { user: 'bob' });

    const response = await test.request({ topics: 'a' }, { user: 'carol' });

    await expectError(response, 503, { error: 'unavailable', reason: 'too many open streams' });
    expectRetryAfterFrom(response, 7);
    expect(test.hub.stats().openStreams).toBe(2);
  });

  it('spreads Retry-After over [retryAfterSeconds, 2 × retryAfterSeconds]', async () => {
    const test = await startHub({ maxStreams: 1, retryAfterSeconds: 3 });
    await test.open({ topics: 'a' }, { user: 'alice' });

    const seen = new Set<string | null>();
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const response = await test.request({ topics: 'a' }, { user: 'bob' });
      expectRetryAfterFrom(response, 3);
      seen.add(response.headers.get('retry-after'));
      await response.body?.cancel();
    }
    // 40 draws from 4 values: all four seen unless the jitter is gone (p of a miss < 1e-4).
    expect([...seen].sort()).toEqual(['3', '4', '5', '6']);
  });

  it('answers 503 beyond maxStreamsPerUser, counting only that user', async () => {
    const test = await startHub({ maxStreamsPerUser: 2 });
    await test.open({ topics: 'a' }, { user: 'alice' });
    await test.open({ topics: 'a' }, { user: 'alice' });

    const refused = await test.request({ topics: 'a' }, { user: 'alice' });
    await test.open({ topics: 'a' }, { user: 'bob' });

    await expectError(refused, 503, {
      error: 'unavailable',
      reason: 'too many open streams for this user',
    });
    expectRetryAfterFrom(refused, 5);
    expect(test.hub.stats().streamsByUser).toEqual({ alice: 2, bob: 1 });
  });

  it('lets a replacing stream in at maxStreamsPerUser', async () => {
    const test = await startHub({ maxStreamsPerUser: 1 });
    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });

    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });

    expect(test.hub.stats().streamsByUser).toEqual({ alice: 1 });
  });

  it('lets a replacing stream in at maxStreams, since it frees its predecessor', async () => {
    const test = await startHub({ maxStreams: 1 });
    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });

    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });

    expect(test.hub.stats().openStreams).toBe(1);
  });

  it('answers 503 once the hub is closed', async () => {
    const test = await startHub();
    test.hub.close();

    const response = await test.request({ topics: 'a' }, { user: 'alice' });

    await expectError(response, 503, {
      error: 'unavailable',
      reason: 'the server is shutting down',
    });
    expectRetryAfterFrom(response, 5);
  });
});

/** A whole number of seconds from `least` to twice that. */
function expectRetryAfterFrom(response: Response, least: number): void {
  const seconds = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(seconds), 'Retry-After is whole seconds').toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(least);
  expect(seconds).toBeLessThanOrEqual(2 * least);
}
