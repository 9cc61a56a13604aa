/**
 * The error type the kit records for an error of no known type is the one the spec's registry
 * gives `error.type`, spelled in the runtime (which generated code imports) and held to it here.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_TYPE_VALUE_OTHER } from '../../src/generated/attributes.ts';
import { ERROR_TYPE_OTHER, errorType } from '../../src/runtime/error-text.ts';

describe('errorType', () => {
  it('falls back to the registry\'s own value for an error of no known type', () => {
    expect(ERROR_TYPE_OTHER).toBe(ERROR_TYPE_VALUE_OTHER);
    expect(errorType('a thrown string')).toBe(ERROR_TYPE_VALUE_OTHER);
    expect(errorType(Object.create(null))).toBe(ERROR_TYPE_VALUE_OTHER);
  });

  it('names the class of an Error subclass, else its name, else an error-like object\'s name', () => {
    class RateLimitError extends Error {}
    expect(errorType(new RateLimitError('slow down'))).toBe('RateLimitError');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType({ name: 'AbortError', message: 'aborted' })).toBe('AbortError');
  });
});
