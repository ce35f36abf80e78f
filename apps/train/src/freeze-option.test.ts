import { describe, expect, it } from 'vitest';
import { ConfigError } from '@clapjs/core';
import { parseTrainConfig } from './config.js';
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

  it('the config key: a bad entry names the parts and the object form', () => {
    const parse = (freeze: unknown) => () =>
      parseTrainConfig({ data: { dataset: { name: 'synth' } }, freeze }, 'my.yaml');
    expect(parse(['encoder'])).toThrow(ConfigError);
    expect(parse([{ part: 'audioEncoder', mode: 'eva' }])).toThrow(
      /^Invalid config in my\.yaml at freeze\.0: give a part \(audioEncoder, textEncoder, audioProjection, textProjection, similarity\) or \{ part, except: \[prefixes\], mode: train \| eval \}/,
    );
    expect(parse([{ part: 'textEncoder', except: ['layers.1'] }])()).toMatchObject({
      freeze: [{ part: 'textEncoder', except: ['layers.1'] }],
    });
  });
});
