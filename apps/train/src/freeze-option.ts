import { trainConfigSchema, type TrainConfig } from './config.js';
import { CliError } from './errors.js';

/**
 * Parses `clapjs train --freeze` entries: `PART` freezes a whole part, `PART:PREFIX,PREFIX` keeps
 * the weights under those prefixes training (e.g. `audioEncoder:layers.3,norm`). The entries
 * replace the config's `freeze` list; `mode: eval` is a config-only setting.
 * @throws CliError (`FREEZE_OPTION`) naming the entry and the parts
 */
export function parseFreezeOption(entries: readonly string[]): TrainConfig['freeze'] {
  const parsed = entries.map((entry) => {
    const [part, except, ...rest] = entry.split(':');
    if (rest.length > 0 || except === '')
      throw new CliError(
        'FREEZE_OPTION',
        `--freeze "${entry}" is not PART or PART:PREFIX,PREFIX (e.g. audioEncoder:layers.3,norm).`,
      );
    return except === undefined
      ? part
      : { part, except: except.split(',').filter((p) => p.length > 0) };
  });
  const result = trainConfigSchema.shape.freeze.safeParse(parsed);
  if (!result.success) {
    const parts = trainConfigSchema.shape.freeze.unwrap().element.options[0].options;
    throw new CliError(
      'FREEZE_OPTION',
      `--freeze ${entries.join(' ')} names a part that does not exist; the parts are ${parts.join(', ')} (PART or PART:PREFIX,PREFIX).`,
    );
  }
  return result.data;
}
