/**
 * Registers the built-in callback plugins (`logger`, `checkpoint`, `eval`, `early-stop`) and,
 * through @clapjs/losses/register, the built-in losses.
 * @packageDocumentation
 */
import '@clapjs/losses/register';
import { register } from '@clapjs/core';
import {
  checkpointCallback,
  earlyStopCallback,
  evalCallback,
  loggerCallback,
} from './callbacks.js';

register(loggerCallback);
register(checkpointCallback);
register(evalCallback);
register(earlyStopCallback);
