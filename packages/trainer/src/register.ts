/**
 * Registers the built-in callback plugins (`logger`, `checkpoint`, `eval`, `early-stop`).
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { checkpointCallback, earlyStopCallback, evalCallback, loggerCallback } from './callbacks.js';

register(loggerCallback);
register(checkpointCallback);
register(evalCallback);
register(earlyStopCallback);
