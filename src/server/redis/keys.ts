/**
 * Every key of one namespace carries the same hash tag, `{<namespace>}`, so Redis Cluster puts
 * them all on one slot: the scripts touch several of them atomically, which Cluster allows only
 * within a slot. One namespace is one hub shared by its processes; to spread load over a
 * cluster, give separate hubs (tenants, apps) separate namespaces.
 */
export interface RedisKeys {
  /** The last id handed out (INCR); created at Redis's time in microseconds. */
  readonly sequence: string;
  /** The capped Stream of events and control entries, entry id `<id>-0`. */
  readonly events: string;
  /** Hash: `topic \n eventName` → `id \n envelope`, the newest sticky value of each. */
  readonly sticky: string;
  /** Sorted set: stream token → lease expiry (ms); its size is the total stream count. */
  readonly leases: string;
  /** Hash: stream token → JSON `[userKey, replacementKey]`. */
  readonly streams: string;
  /** Hash: userKey → open streams of that user. */
  readonly users: string;
  /** Hash: replacementKey (user and clientId) → the token of that client's stream. */
  readonly clients: string;
  /** Hash of one process: publish sequence number → the id it got (retries are answered). */
  publisher(processId: string): string;
}

const NAMESPACE = /^[^{}\s]{1,64}$/;

/** Why `namespace` cannot tag keys, or `undefined`. */
export function findNamespaceProblem(namespace: unknown): string | undefined {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    return 'must be 1-64 characters without braces or whitespace (it becomes the hash tag)';
  }
  return undefined;
}

export function redisKeys(namespace: string): RedisKeys {
  const prefix = `tabcast:{${namespace}}:`;
  return {
    sequence: `${prefix}seq`,
    events: `${prefix}events`,
    sticky: `${prefix}sticky`,
    leases: `${prefix}leases`,
    streams: `${prefix}streams`,
    users: `${prefix}users`,
    clients: `${prefix}clients`,
    publisher: (processId) => `${prefix}publisher:${processId}`,
  };
}
