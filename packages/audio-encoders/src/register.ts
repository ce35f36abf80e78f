/**
 * Importing `@clapjs/audio-encoders/register` registers cnn6, cnn10, cnn14, cnn-small and htsat with the
 * @clapjs/core registry (registering twice, e.g. from the ESM and CJS builds, is a no-op).
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { cnn10, cnn14, cnn6, cnnSmall, htsat } from './plugins.js';

register(cnn6);
register(cnn10);
register(cnn14);
register(cnnSmall);
register(htsat);
