import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { parseFreezeOption } from './freeze-option.js';

describe('clapjs train --freeze', () => {
  it('reads whole parts and parts with prefixes that keep training', () => {
    expect(parseFreezeOption(['audioEncoder:layers.3,norm', 'textEncoder'])).toEqual([
      { part: 'audioEncoder', except: ['layers.3', 'norm'] },
      'textEncoder',
    ]);
  });

  it('refuses a part that does not exist and an empty prefix list, naming the parts', () => {
    expect(() => parseFreezeOption(['audio'])).toThrow(CliError);
    expect(() => parseFreezeOption(['audio'])).toThrow(
      /the parts are audioEncoder, textEncoder, audioProjection, textProjection, similarity/,
    );
    expect(() => parseFreezeOption(['audioEncoder:'])).toThrow(/PART:PREFIX,PREFIX/);
    expect(() => parseFreezeOption(['audioEncoder:a:b'])).toThrow(/PART:PREFIX,PREFIX/);
  });
});
