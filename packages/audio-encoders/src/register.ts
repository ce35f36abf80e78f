/**
 * Importing `@clapjs/audio-encoders/register` registers cnn6, cnn10, cnn14, cnn-small and htsat with the
 * @clapjs/core registry (registering twice, e.g. from the ESM and CJS builds, is a no-op).
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { audioEncoderPlugins } from './plugins.js';

for (const plugin of audioEncoderPlugins as readonly AnyPlugin[]) register(plugin);
