import { ClapError } from '@clapjs/core';

/** An error of the command line itself (bad arguments, missing files); printed without a stack. */
export class CliError extends ClapError {}
