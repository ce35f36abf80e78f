import { ClapError } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors.js';

describe('CheckpointError', () => {
  it('is a ClapError with a stable code and its own name', () => {
    const error = new CheckpointError('PICKLE_GLOBAL_REFUSED', 'refused posix.system');
    expect(error).toBeInstanceOf(ClapError);
    expect(error.code).toBe('PICKLE_GLOBAL_REFUSED');
    expect(error.name).toBe('CheckpointError');
  });
});
