/**
 * @clapjs/losses — contrastive losses over a logits matrix C (rows = texts, columns = audios):
 * symmetric CLAP, one-directional InfoNCE and SigLIP, plus their plugins. Importing this entry
 * registers nothing; import `@clapjs/losses/register` for that.
 * @packageDocumentation
 */
export { infoNCE, symmetricClapLoss } from './contrastive.js';
export type { InfoNCEDirection } from './contrastive.js';
export { sigLipLoss } from './siglip.js';
export { LossInputError } from './validate.js';
export { infoNCEPlugin, lossPlugins, sigLipPlugin, symmetricClapPlugin } from './plugins.js';
