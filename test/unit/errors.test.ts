import { describe, expect, it } from 'vitest';
import { TabcastError, TabcastHandlerError, TabcastParseError } from '../../src/errors.js';

// Issue 9: both subclasses inherited the base's `name`, so logs and `String(error)` said
// "TabcastError" for a parse failure and for a throwing handler alike.
describe('error classes', () => {
  const cause = new Error('underneath');

  it.each([
    ['TabcastError', new TabcastError('invalid_option', 'tabcast: bad option'), 'invalid_option'],
    ['TabcastHandlerError', new TabcastHandlerError('order-placed', cause), 'handler_error'],
    [
      'TabcastParseError',
      new TabcastParseError('tabcast: not an envelope', 'order-placed', '7', cause),
      'parse_error',
    ],
  ] as const)('%s has its own name, its code, and is a TabcastError', (name, error, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(TabcastError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe(`${name}: ${error.message}`);
  });

  it('keeps what each subclass carries', () => {
    const handler = new TabcastHandlerError('resync', cause);
    expect(handler).toBeInstanceOf(TabcastHandlerError);
    expect(handler.callback).toBe('resync');
    expect(handler.cause).toBe(cause);

    const parse = new TabcastParseError('tabcast: rejected by parse', 'order-placed', null);
    expect(parse).toBeInstanceOf(TabcastParseError);
    expect(parse).not.toBeInstanceOf(TabcastHandlerError);
    expect([parse.event, parse.id, parse.cause]).toEqual(['order-placed', null, undefined]);
  });
});
