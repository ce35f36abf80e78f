#!/usr/bin/env node
// Enforces dependency-rules.json: every @clapjs import (package.json dependencies and
// import/require specifiers under src/) must be allowed for the importing package.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const rules = JSON.parse(readFileSync(new URL('./dependency-rules.json', import.meta.url), 'utf8'));
const SPECIFIER = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](@clapjs\/[a-z0-9-]+)/g;

// Packages any package may use from its tests only (devDependencies, test files), e.g. the
// test-backend helper that brings the wasm kernel pack into every model part's tests.
const testOnly = new Set((rules.$testOnly ?? []).map((short) => `@clapjs/${short}`));
// ...and packages one package may use from its tests only ($testOnlyIn: { dir: [short names] }).
const testOnlyIn = (dir) =>
  new Set((rules.$testOnlyIn?.[dir] ?? []).map((short) => `@clapjs/${short}`));
const TEST_FILE = /(\.test\.tsx?|\.fixture\.(ts|mjs|cjs)|\/test-support\.ts|\/test-utils\/.*)$/;

function ruleFor(dir) {
  if (rules[dir] !== undefined) return rules[dir];
  const wildcard = Object.keys(rules).find(
    (key) => key.endsWith('*') && dir.startsWith(key.slice(0, -1)),
  );
  return wildcard === undefined ? undefined : rules[wildcard];
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/**
 * Lists every forbidden @clapjs dependency under `root`.
 * @param {string} root the monorepo root
 * @returns {string[]} one message per violation
 */
export function checkDependencies(root) {
  const problems = [];
  for (const group of ['packages', 'apps', 'examples', 'tooling']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const pkgDir = join(groupDir, name);
      const manifest = join(pkgDir, 'package.json');
      if (!existsSync(manifest)) continue;
      const dir = `${group}/${name}`;
      const rule = ruleFor(dir);
      if (rule === undefined) {
        problems.push(`${dir}: no entry in tooling/config/dependency-rules.json; add one`);
        continue;
      }
      if (rule === '*') continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      const self = pkg.name;
      const allowed = new Set([...rule.map((short) => `@clapjs/${short}`), self, '@clapjs/config']);
      const ownTestOnly = testOnlyIn(dir);
      const isTestOnly = (dep) => testOnly.has(dep) || ownTestOnly.has(dep);
      const used = new Map();
      for (const field of [
        'dependencies',
        'peerDependencies',
        'optionalDependencies',
        'devDependencies',
      ]) {
        for (const dep of Object.keys(pkg[field] ?? {})) {
          if (!dep.startsWith('@clapjs/')) continue;
          if (isTestOnly(dep) && field === 'devDependencies') continue;
          used.set(dep, `package.json ${field}`);
        }
      }
      for (const file of sourceFiles(join(pkgDir, 'src'))) {
        const where = relative(root, file).split(sep).join('/');
        for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
          if (isTestOnly(match[1]) && TEST_FILE.test(where)) continue;
          used.set(match[1], where);
        }
      }
      for (const [dep, where] of used) {
        if (isTestOnly(dep)) {
          problems.push(
            `${dir} uses the test-only ${dep} in ${where}; list it in devDependencies and import it only from test files (*.test.ts, *.fixture.ts, test-support.ts, test-utils/)`,
          );
        } else if (!allowed.has(dep)) {
          problems.push(
            `${dir} may not depend on ${dep} (found in ${where}); allowed: ${rule.join(', ') || 'none'}`,
          );
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const problems = checkDependencies(root);
  for (const problem of problems) console.error(`dependency rule: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log('dependency rules: ok');
}
