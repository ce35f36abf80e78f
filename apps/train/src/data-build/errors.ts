import { ClapError } from '@clapjs/core';

/** The Debian packages the gm-speech builder renders with, as one install line. */
export const GM_SPEECH_APT_LINE = 'sudo apt-get install -y fluidsynth fluid-soundfont-gm espeak-ng';

/** The Debian packages real-eval reads its recorded sounds from, as one install line. */
export const REAL_EVAL_APT_LINE =
  'sudo apt-get install -y tuxpaint-stamps-default openttd-opensfx hydrogen-drumkits asterisk-core-sounds-en-wav asterisk-core-sounds-en';

/**
 * A program or data file a dataset builder needs is not installed. `aptLine` is the exact
 * command that installs it (also in the message).
 */
export class MissingToolError extends ClapError {
  /** The missing programs or files, e.g. `['fluidsynth', '/usr/share/sounds/sf2/FluidR3_GM.sf2']`. */
  readonly missing: readonly string[];
  /** The exact `apt-get install` line that provides them. */
  readonly aptLine: string;

  constructor(missing: readonly string[], aptLine: string) {
    super(
      'DATA_BUILD_TOOL_MISSING',
      `Missing ${missing.join(', ')}: the dataset builder needs ${missing.length === 1 ? 'it' : 'them'}. Install with: ${aptLine}`,
    );
    this.missing = missing;
    this.aptLine = aptLine;
  }
}

/**
 * A dataset build was asked for something it cannot do (a clip count of 0, a voice that does
 * not exist, a soundfont that fails to load, a renderer that failed). Nothing is left in `out`.
 */
export class DataBuildError extends ClapError {}
