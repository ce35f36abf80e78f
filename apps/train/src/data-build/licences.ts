import { existsSync, readFileSync } from 'node:fs';

/**
 * The licence of a Debian package's files: the `License:` of the `Files: *` paragraph of its
 * machine-readable copyright file, with the file's path for the full terms.
 */
export function debianLicence(pkg: string, docRoot = '/usr/share/doc'): string {
  const file = `${docRoot}/${pkg}/copyright`;
  if (!existsSync(file)) return `unknown (no ${file})`;
  const paragraphs = readFileSync(file, 'utf8').split(/\n\s*\n/);
  const all = paragraphs.find((p) => /^Files:\s*\*\s*$/m.test(p));
  const licence = all === undefined ? undefined : /^License:\s*(.+)$/m.exec(all)?.[1]?.trim();
  return `${licence ?? 'see the copyright file'} (Debian ${pkg}; ${file})`;
}
