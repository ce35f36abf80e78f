import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ContrastiveLoss } from './contracts.js';
import { ConfigError, PluginError } from './errors.js';
import { definePlugin } from './plugin.js';
import type * as registry from './registry.js';
import { create, get, list, parseConfig, register, unregister } from './registry.js';
import { CORE_VERSION } from './version.js';

const scaledLoss = (origin = 'test-pkg', version = '1.0.0', coreVersion = `^${CORE_VERSION}`) =>
  definePlugin({
    kind: 'loss',
    name: 'test-scaled',
    version,
    coreVersion,
    origin,
    configSchema: z.strictObject({ weight: z.number().positive().default(1) }),
    create: (config): ContrastiveLoss => ({
      name: 'test-scaled',
      getConfig: () => ({ ...config }),
      call: () => {
        throw new Error('not used');
      },
    }),
  });

afterEach(() => {
  unregister('loss', 'test-scaled');
});

describe('registry', () => {
  it('registers, gets and lists a plugin', () => {
    register(scaledLoss());
    expect(get('loss', 'test-scaled').origin).toBe('test-pkg');
    expect(list('loss').map((p) => p.name)).toContain('test-scaled');
    expect(list().some((p) => p.kind === 'loss' && p.name === 'test-scaled')).toBe(true);
  });

  it('builds a part with defaults filled in and the name kept', () => {
    register(scaledLoss());
    const loss = create('loss', { name: 'test-scaled' }, {});
    expect(loss.getConfig()).toEqual({ name: 'test-scaled', weight: 1 });
  });

  it('names the known plugins when a name is unknown', () => {
    register(scaledLoss());
    expect(() => get('loss', 'tset-scaled')).toThrowError(
      /Unknown loss "tset-scaled"\. Known: .*test-scaled/,
    );
    try {
      get('loss', 'nope');
    } catch (error) {
      expect(error).toBeInstanceOf(PluginError);
      expect((error as PluginError).code).toBe('PLUGIN_UNKNOWN');
    }
  });

  it('treats the same plugin registered twice as a no-op', () => {
    register(scaledLoss());
    expect(() => register(scaledLoss())).not.toThrow();
    expect(list('loss').filter((p) => p.name === 'test-scaled')).toHaveLength(1);
  });

  it('refuses a different plugin under a taken name, naming both origins', () => {
    register(scaledLoss('first-pkg'));
    expect(() => register(scaledLoss('second-pkg'))).toThrowError(
      /second-pkg@1\.0\.0.*already taken by first-pkg@1\.0\.0/,
    );
  });

  it('refuses a plugin whose coreVersion excludes the running core, naming both versions', () => {
    const old = scaledLoss('old-pkg', '1.0.0', '^0.0.1');
    expect(() => register(old)).toThrowError(
      new RegExp(
        `requires @clapjs/core \\^0\\.0\\.1, but @clapjs/core ${CORE_VERSION.replace(/\./g, '\\.')} is running`,
      ),
    );
    expect(() => get('loss', 'test-scaled')).toThrow(PluginError);
  });

  it('refuses a plugin without a schema', () => {
    const noSchema = { ...scaledLoss(), configSchema: undefined } as unknown as ReturnType<
      typeof scaledLoss
    >;
    expect(() => register(noSchema)).toThrowError(/has no configSchema/);
  });

  it.each([
    ['no origin', { origin: undefined }, 'PLUGIN_ORIGIN_MISSING', /origin is missing/],
    ['an empty origin', { origin: '' }, 'PLUGIN_ORIGIN_MISSING', /origin is missing/],
    ['no version', { version: undefined }, 'PLUGIN_VERSION_INVALID', /version "undefined"/],
    ['a non-semver version', { version: 'latest' }, 'PLUGIN_VERSION_INVALID', /"latest"/],
    ['no create', { create: undefined }, 'PLUGIN_CREATE_MISSING', /create is not a function/],
    [
      'a misspelt kind',
      { kind: 'audio-encodr' },
      'PLUGIN_KIND_UNKNOWN',
      /unknown kind "audio-encodr"; use one of audio-encoder, text-encoder/,
    ],
  ])('refuses a plugin with %s, naming the field', (_, change, code, message) => {
    const broken = { ...scaledLoss(), ...change } as unknown as ReturnType<typeof scaledLoss>;
    let caught: unknown;
    try {
      register(broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PluginError);
    expect((caught as PluginError).code).toBe(code);
    expect((caught as PluginError).message).toMatch(message);
    expect((caught as PluginError).message).toMatch(/plugin "test-scaled"/);
    expect(list().filter((p) => p.name === 'test-scaled')).toHaveLength(0);
  });

  it('refuses something that is not an object', () => {
    expect(() => register(null as unknown as ReturnType<typeof scaledLoss>)).toThrowError(
      /was given null, not a plugin object/,
    );
  });

  it('does not take two origin-less plugins for the same source', () => {
    const anonymous = { ...scaledLoss(), origin: undefined } as unknown as ReturnType<
      typeof scaledLoss
    >;
    expect(() => register(anonymous)).toThrow(PluginError);
    expect(() => register(anonymous)).toThrow(PluginError);
    expect(() => get('loss', 'test-scaled')).toThrow(/Unknown loss/);
  });

  it('rejects a bad config value, naming the offending key', () => {
    register(scaledLoss());
    let caught: unknown;
    try {
      parseConfig('loss', { name: 'test-scaled', weight: -2 }, 'training.loss');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).path).toBe('training.loss.weight');
    expect((caught as ConfigError).message).toMatch(/Invalid config at training\.loss\.weight/);
  });

  it('rejects an unknown key in a strict schema, naming it', () => {
    register(scaledLoss());
    expect(() => parseConfig('loss', { name: 'test-scaled', wieght: 2 }, 'loss')).toThrowError(
      /loss.*wieght/,
    );
  });

  it('shares one table between the ESM and CJS copies of core (globalThis)', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/index.cjs') as typeof registry;
    register(scaledLoss());
    expect(cjs.get('loss', 'test-scaled').origin).toBe('test-pkg');
    // The CJS copy registering the same plugin is a no-op.
    expect(() => cjs.register(scaledLoss())).not.toThrow();
  });
});
