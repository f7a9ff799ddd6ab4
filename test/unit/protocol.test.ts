import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, readChannelMessage } from '../../src/protocol.js';

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
        resumed: true,
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
      { type: 'topics', topics: ['a'], events: ['tick'] },
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
