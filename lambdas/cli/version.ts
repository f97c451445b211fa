import { readFileSync } from 'node:fs';

/** The package version ("0.1.0"), or "unknown" when package.json cannot be read. */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
