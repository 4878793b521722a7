// Regenerates the rows of src/data/iris.ts from ../shared/data/iris/iris.csv (prints them; paste in).
// Usage: node scripts/iris-embed.mjs [path/to/iris.csv]
import { readFileSync } from 'node:fs';
const path = process.argv[2] ?? '../shared/data/iris/iris.csv';
const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
const species = ['setosa', 'versicolor', 'virginica'];
const rows = lines.map((l) => {
  const c = l.split(',');
  return `  [${c.slice(0, 4).join(', ')}, ${species.indexOf(c[4])}],`;
});
console.log(rows.join('\n'));
