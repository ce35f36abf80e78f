/**
 * Registers the built-in losses (`symmetric-clap`, `infonce`, `siglip`) with @clapjs/core.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { infoNCEPlugin, sigLipPlugin, symmetricClapPlugin } from './plugins.js';

register(symmetricClapPlugin);
register(infoNCEPlugin);
register(sigLipPlugin);
