import { describe, expect, it } from 'vitest';
import { clapjs } from './helpers.js';

describe('clapjs train --freeze', () => {
  it('a part that does not exist: one line on stderr naming the parts, exit 2', () => {
    const r = clapjs(['train', '--freeze', 'audio', '--steps', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^clapjs: --freeze audio names a part that does not exist; the parts are audioEncoder, /,
    );
  });
});
