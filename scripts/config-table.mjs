// Regenerates README's configuration table (between the config-table markers) from the documented keys
// in src/config-keys.ts. Run after `npm run build`:   node scripts/config-table.mjs
// A test fails when README lacks a key, so the table cannot silently fall behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { configKeyDocs } from '../dist/src/config.js';

const escape = (text) => text.replaceAll('|', '\\|');
const rows = configKeyDocs.map((doc) => `| \`${doc.env}\` | ${escape(doc.default)} | ${escape(doc.description)} |`);
const table = ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const pattern = /(<!-- config-table:start -->\n)[\s\S]*?(\n<!-- config-table:end -->)/;
if (!pattern.test(readme)) throw new Error('README.md has no config-table markers');
writeFileSync(readmeUrl, readme.replace(pattern, `$1${table}$2`));
console.log(`README.md: ${rows.length} configuration keys`);
