/**
 * The release this build is: read once from package.json, so `gtos version`,
 * `--version` and web3_clientVersion cannot disagree with the package.
 */
import { readFileSync } from 'node:fs';

function packageVersion(): string {
  // dist/src/util/version.js and src/util/version.ts both sit three folders below the package root.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // A relocated build without its package.json still runs; it just cannot name its release.
  }
  return '0.0.0-unknown';
}

export const VERSION = packageVersion();

/** geth's `version` output, with Node.js where geth names Go (no git commit: builds carry none). */
export function versionReport(): string {
  return [
    'gtos-ts',
    `Version: ${VERSION}`,
    `Architecture: ${process.arch}`,
    `Node Version: ${process.version}`,
    `Operating System: ${process.platform}`,
  ].join('\n');
}
