// Prints README's configuration table from the documented keys (run after `npm run build`):
//   node scripts/config-table.mjs
import { configKeyDocs } from '../dist/src/config.js';

console.log('| Variable | Default | Meaning |');
console.log('|---|---|---|');
for (const doc of configKeyDocs) {
  console.log(`| \`${doc.env}\` | ${doc.default.replaceAll('|', '\\|')} | ${doc.description.replaceAll('|', '\\|')} |`);
}
