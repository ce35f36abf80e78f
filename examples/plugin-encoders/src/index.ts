/**
 * An example third-party clapjs plugin package. Importing it registers its two encoders, so a
 * config that lists this package under `plugins` can name them.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { frameAttention } from './frame-attention.js';
import { positionMax } from './position-max.js';

register(frameAttention);
register(positionMax);

export { frameAttention, positionMax };
