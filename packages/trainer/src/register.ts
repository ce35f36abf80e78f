/**
 * Registers the built-in callback plugins (`logger`, `checkpoint`, `eval`, `early-stop`) and,
 * through @clapjs/losses/register, the built-in losses.
 * @packageDocumentation
 */
import '@clapjs/losses/register';
import { register, type AnyPlugin } from '@clapjs/core';
import { callbackPlugins } from './callbacks.js';

for (const plugin of callbackPlugins as readonly AnyPlugin[]) register(plugin);
