// bench/seeds/upsert.js - the seeds' approach, the baseline of bench/crdb.sh:
// a node-postgres Pool, multi-row INSERT ... VALUES ($1, ...), ... ON
// CONFLICT (sku) DO UPDATE in 1000-row batches, several batches in flight
// (the seed document's bulkUpsertProducts, looped over a CSV file).
//
//   node upsert.js URL TABLE FILE.csv[.gz] [BATCH] [IN_FLIGHT]
//
// The file's header names the columns; the conflict key is sku and every
// other column is updated. Prints the rows sent on standard output.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { parse } = require('csv-parse');
const { Pool } = require('pg');

const [url, table, file, batchArg, inFlightArg] = process.argv.slice(2);
if (!url || !table || !file) {
  console.error('usage: node upsert.js URL TABLE FILE.csv[.gz] [BATCH] [IN_FLIGHT]');
  process.exit(2);
}
const batchSize = Number(batchArg || 1000);
const inFlight = Number(inFlightArg || 4);
const ident = (s) => '"' + s.replace(/"/g, '""') + '"';

async function bulkUpsertProducts(pool, columns, rows) {
  const params = [];
  const tuples = rows.map((row, i) => {
    params.push(...row);
    return '(' + row.map((_, j) => '$' + (i * row.length + j + 1)).join(', ') + ')';
  });
  const updates = columns.filter((c) => c !== 'sku')
    .map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ');
  await pool.query(
    `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES ${tuples.join(', ')} ` +
      `ON CONFLICT ("sku") DO UPDATE SET ${updates}`,
    params);
}

async function main() {
  const pool = new Pool({ connectionString: url, max: inFlight });
  let input = fs.createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(zlib.createGunzip());
  const parser = input.pipe(parse());
  const pending = new Set();
  let columns = null;
  let rows = [];
  let sent = 0;

  const flush = async () => {
    const batch = rows;
    rows = [];
    const p = bulkUpsertProducts(pool, columns, batch).then(() => { sent += batch.length; });
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => {});
    if (pending.size >= inFlight) await Promise.race(pending);
  };

  for await (const record of parser) {
    if (!columns) {
      columns = record;
      continue;
    }
    rows.push(record.map((v) => (v === '' ? null : v)));
    if (rows.length === batchSize) await flush();
  }
  if (rows.length) await flush();
  await Promise.all(pending);
  await pool.end();
  console.log(sent);
}

main().catch((e) => {
  console.error('upsert.js:', e.message);
  process.exit(1);
});
