import { describe, expect, it } from 'vitest';
import {
  MAX_ENDPOINT_LENGTH,
  PROTOCOL_VERSION,
  readChannelMessage,
} from '../../machines/protocol.js';

const scope = 'app:ada';
const base = { v: PROTOCOL_VERSION, scope, from: 'tab-1' };

describe('readChannelMessage', () => {
  it('accepts every well-formed message type', () => {
    const status = { phase: 'open', attempt: 0, retryAt: null, error: null };
    const bodies = [
      { type: 'hello' },
      { type: 'state', stream: '/events', epoch: 1, status, topics: ['a'], wakeAt: null },
      { type: 'state', stream: '/events', epoch: 1, status, topics: [], wakeAt: 1_700_000_000_500 },
      { type: 'wake' },
      {
        type: 'events',
        stream: '/events',
        epoch: 1,
        events: [
          { id: '7', event: 'tick', data: '{}' },
          { id: null, event: 'message', data: '' },
        ],
      },
      {
        type: 'opened',
        stream: '/events',
        epoch: 1,
        status,
        topics: ['a', 'b'],
        gaps: ['b'],
        resumedFrom: '41',
      },
      { type: 'reset', stream: '/events', epoch: 1, id: '500', topics: ['a'] },
      {
        type: 'state',
        stream: '/sse/chat',
        epoch: 1,
        status: { ...status, phase: 'idle' },
        topics: [],
        wakeAt: null,
      },
      { type: 'gone', tabId: 'tab-3' },
      { type: 'topics', topics: ['a'], events: ['tick'], knownEpoch: 7 },
      { type: 'bye', leader: true, epoch: 2 },
      { type: 'logout' },
      { type: 'heartbeat', epoch: 3 },
      { type: 'claim', epoch: 4 },
      { type: 'retry' },
    ];
    for (const body of bodies) {
      expect(readChannelMessage({ ...base, ...body }, scope)).toEqual({ ...base, ...body });
    }
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['an array', [1, 2]],
    ['another version', { ...base, v: 2, type: 'hello' }],
    ['another scope (another user)', { ...base, scope: 'app:bob', type: 'logout' }],
    ['no sender', { ...base, from: '', type: 'hello' }],
    ['an unknown type', { ...base, type: 'takeover' }],
    ['a prototype key as type', { ...base, type: 'toString' }],
    ['a negative epoch', { ...base, type: 'heartbeat', epoch: -1 }],
    ['a fractional epoch', { ...base, type: 'claim', epoch: 1.5 }],
    [
      'an event without data',
      { ...base, type: 'events', stream: '/e', epoch: 1, events: [{ id: null, event: 'x' }] },
    ],
    ['an empty batch', { ...base, type: 'events', stream: '/e', epoch: 1, events: [] }],
    ['topics that are not strings', { ...base, type: 'topics', topics: [1], events: [] }],
    ['an opened without gaps', { ...base, type: 'opened', epoch: 1, status: {}, topics: [] }],
    [
      'an event without its stream',
      { ...base, type: 'events', epoch: 1, events: [{ id: null, event: 'x', data: '' }] },
    ],
    ['a reset with a numeric id', { ...base, type: 'reset', epoch: 1, id: 500, topics: [] }],
    [
      'a state with an unknown phase',
      {
        ...base,
        type: 'state',
        epoch: 1,
        status: { phase: 'weird', attempt: 0, retryAt: null, error: null },
      },
    ],
  ])('drops %s', (_name, raw) => {
    expect(readChannelMessage(raw, scope)).toBeNull();
  });
});

describe('a message with one bad field is dropped (a foreign page changes nothing)', () => {
  const status = { phase: 'open', attempt: 0, retryAt: null, error: null };
  /** A valid message of each type, and values of one field each that make it invalid. */
  const cases: [body: Record<string, unknown>, bad: Record<string, unknown[]>][] = [
    [
      { type: 'state', stream: '/events', epoch: 1, status, topics: ['a'], wakeAt: null },
      {
        stream: ['', 'x'.repeat(MAX_ENDPOINT_LENGTH + 1), 7],
        epoch: ['1', -1, 1.5, 2 ** 53],
        topics: ['a', [1], Array(1025).fill('a')],
        wakeAt: [undefined, '5', Number.POSITIVE_INFINITY, Number.NaN],
        status: [
          null,
          [],
          Object.assign([], status),
          { ...status, phase: 7 },
          { ...status, phase: 'signedOut' },
          { ...status, attempt: '0' },
          { ...status, retryAt: '5' },
          { ...status, retryAt: undefined },
          { ...status, error: 'network' },
          { ...status, error: { code: 5 } },
          { ...status, error: undefined },
        ],
      },
    ],
    [
      {
        type: 'opened',
        stream: '/events',
        epoch: 1,
        status,
        topics: ['a'],
        gaps: [],
        resumedFrom: null,
      },
      {
        stream: [undefined],
        epoch: [undefined],
        status: [{ ...status, phase: 'weird' }],
        topics: [undefined],
        gaps: [undefined, [1]],
        resumedFrom: [41, undefined],
      },
    ],
    [
      { type: 'events', stream: '/e', epoch: 1, events: [{ id: '1', event: 'x', data: '' }] },
      {
        stream: [undefined],
        epoch: [undefined],
        events: [
          undefined,
          { length: 1 },
          [null],
          [[]],
          [{ id: 1, event: 'x', data: '' }],
          [{ event: 'x', data: '' }],
          [{ id: null, event: 1, data: '' }],
          [{ id: null, event: 'x', data: {} }],
          [{ id: '1', event: 'x', data: '' }, null],
        ],
      },
    ],
    [
      { type: 'reset', stream: '/e', epoch: 1, id: null, topics: [] },
      { stream: [undefined], epoch: [undefined], id: [undefined, 5], topics: [undefined] },
    ],
    [
      { type: 'topics', topics: [], events: [], knownEpoch: 0 },
      { topics: [undefined], events: [undefined, [1]], knownEpoch: [undefined, -1, 1.5] },
    ],
    [
      { type: 'bye', leader: false, epoch: 0 },
      { leader: [undefined, 'false'], epoch: [undefined] },
    ],
    [{ type: 'gone', tabId: 'tab-2' }, { tabId: [undefined, '', 2] }],
    [{ type: 'heartbeat', epoch: 0 }, { epoch: [undefined, '0'] }],
    [{ type: 'claim', epoch: 0 }, { epoch: [undefined] }],
    [{ type: 'sync', token: 'tab-1:abc' }, { token: [undefined, 7] }],
  ];

  it.each(cases.map(([body]) => [body.type, body] as const))(
    'accepts the well-formed %s it starts from',
    (_type, body) => {
      expect(readChannelMessage({ ...base, ...body }, scope)).toEqual({ ...base, ...body });
    },
  );

  it.each(
    cases.flatMap(([body, bad]) =>
      Object.entries(bad).flatMap(([field, values]) =>
        values.map(
          (value) =>
            [`${body.type}.${field}`, String(value)?.slice(0, 30), body, field, value] as const,
        ),
      ),
    ),
  )('drops %s = %s', (_name, _shown, body, field, value) => {
    expect(readChannelMessage({ ...base, ...body, [field]: value }, scope)).toBeNull();
  });

  it('takes the largest batch and the longest stream name it allows', () => {
    const event = { id: null, event: 'x', data: '' };
    const batch = {
      ...base,
      type: 'events',
      stream: 'x'.repeat(MAX_ENDPOINT_LENGTH),
      epoch: 0,
      events: Array(100_000).fill(event),
    };
    expect(readChannelMessage(batch, scope)).not.toBeNull();
    expect(readChannelMessage({ ...batch, events: Array(100_001).fill(event) }, scope)).toBeNull();
    const topics = {
      ...base,
      type: 'topics',
      topics: Array(1024).fill('a'),
      events: [],
      knownEpoch: 0,
    };
    expect(readChannelMessage(topics, scope)).not.toBeNull();
  });

  it.each(['idle', 'connecting', 'open', 'reconnecting', 'failed', 'closed'])(
    "accepts a leader's state in phase %s",
    (phase) => {
      const state = {
        ...base,
        type: 'state',
        stream: '/events',
        epoch: 1,
        status: {
          phase,
          attempt: 2,
          retryAt: 1_700_000_000_000,
          error: { code: 'http', status: 503 },
        },
        topics: [],
        wakeAt: 1_700_000_000_000,
      };
      expect(readChannelMessage(state, scope)).toEqual(state);
    },
  );

  it.each([
    ['a type that is an array naming one', { ...base, type: ['hello'] }],
    ['a sender that is not a string', { ...base, from: 7, type: 'hello' }],
    ['no version', { scope, from: 'tab-1', type: 'hello' }],
    ['an array dressed as a message', Object.assign([], base, { type: 'hello' })],
  ])('drops %s', (_name, raw) => {
    expect(readChannelMessage(raw, scope)).toBeNull();
  });
});
