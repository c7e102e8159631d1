// duckdb_agg.mjs: the DuckDB side of the import benchmark (bench/import_bench.sh).
//
// Reads the same legacy-CUR CSV files rebill imports, with read_csv, and
// computes the same per-day aggregate (payer, account, line item type,
// product, region, day) with the spec §3 amortized (effective) CASE.
// mode "double": cost columns typed DOUBLE (DuckDB's fastest form, inexact);
// mode "decimal": DECIMAL(38,10) (exact, like rebill).
// mode "same" (issue 9): the same work rebill does — the per-day sums by
// every key of a rebill fact (payer, account, line item type, product, usage
// type, operation, region, commitment owner, tag set, day) and the
// per-resource monthly sums, both CREATE TABLE in a database file
// ($DUCK_DB, default a fresh file in the temporary directory) and committed;
// costs DOUBLE (its fastest form).
// Usage: node duckdb_agg.mjs double|decimal|same THREADS FILE...
// Prints one JSON line: {"mode","threads","seconds","groups","unblended","effective"}
// ("same" adds "resources").
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [mode, threads, ...files] = process.argv.slice(2);
if (!['double', 'decimal', 'same'].includes(mode) || !threads || files.length === 0) {
	console.error('usage: node duckdb_agg.mjs double|decimal|same THREADS FILE...');
	process.exit(1);
}
const t = mode === 'decimal' ? 'DECIMAL(38,10)' : 'DOUBLE';
const costCols = [
	'lineItem/UnblendedCost', 'lineItem/UsageAmount', 'pricing/publicOnDemandCost',
	'reservation/EffectiveCost', 'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
	'reservation/UnusedRecurringFee', 'savingsPlan/SavingsPlanEffectiveCost',
	'savingsPlan/TotalCommitmentToDate', 'savingsPlan/UsedCommitment',
];
// The usage start is read as text (the sniffer would make it a TIMESTAMP WITH
// TIME ZONE, which substr cannot take): its first 10 characters are the UTC day,
// as rebill takes it.
const types = '{' + costCols.map((c) => `'${c}': '${t}'`).join(', ') +
	", 'lineItem/UsageStartDate': 'VARCHAR'}";
const list = '[' + files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ') + ']';
const q = (c) => `"${c}"`;
const z = (c) => `coalesce(${q(c)}, 0)`;
const sql = `
SELECT ${q('bill/PayerAccountId')} AS payer, ${q('lineItem/UsageAccountId')} AS account,
       ${q('lineItem/LineItemType')} AS type, ${q('lineItem/ProductCode')} AS product,
       ${q('product/region')} AS region, substr(${q('lineItem/UsageStartDate')}, 1, 10) AS day,
       count(*) AS n,
       sum(${z('lineItem/UnblendedCost')}) AS unblended,
       sum(CASE ${q('lineItem/LineItemType')}
             WHEN 'DiscountedUsage' THEN ${z('reservation/EffectiveCost')}
             WHEN 'SavingsPlanCoveredUsage' THEN ${z('savingsPlan/SavingsPlanEffectiveCost')}
             WHEN 'SavingsPlanNegation' THEN 0
             WHEN 'SavingsPlanUpfrontFee' THEN 0
             WHEN 'SavingsPlanRecurringFee' THEN ${z('savingsPlan/TotalCommitmentToDate')} - ${z('savingsPlan/UsedCommitment')}
             WHEN 'RIFee' THEN ${z('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod')} + ${z('reservation/UnusedRecurringFee')}
             WHEN 'Fee' THEN CASE WHEN coalesce(${q('reservation/ReservationARN')}, '') <> '' THEN 0 ELSE ${z('lineItem/UnblendedCost')} END
             ELSE ${z('lineItem/UnblendedCost')} END) AS effective
FROM read_csv(${list}, header = true, types = ${types}, sample_size = 20000)
GROUP BY ALL`;

if (mode === 'same') {
	const dir = process.env.DUCK_DB ? null : mkdtempSync(join(tmpdir(), 'duck-'));
	const path = process.env.DUCK_DB || join(dir, 'bench.duckdb');
	const db = await DuckDBInstance.create(path, { threads: String(threads) });
	const con = await db.connect();
	// the tag columns of the header (resourceTags/...): the tag set is their
	// values joined, as rebill keys a fact by its canonical tag set
	const cols = (await con.runAndReadAll(`SELECT * FROM read_csv(${list}, header = true, types = ${types}, sample_size = 20000) LIMIT 0`)).columnNames();
	const tags = cols.filter((c) => c.startsWith('resourceTags/'));
	const tagset = tags.length ? `concat_ws(chr(31), ${tags.map((c) => `coalesce(${q(c)}, '')`).join(', ')})` : "''";
	const owner = `coalesce(nullif(split_part(${q('reservation/ReservationARN')}, ':', 5), ''), split_part(${q('savingsPlan/SavingsPlanARN')}, ':', 5), '')`;
	const t0 = process.hrtime.bigint();
	await con.run('BEGIN');
	await con.run(`CREATE TEMP TABLE src AS SELECT ${q('bill/PayerAccountId')} AS payer, ${q('lineItem/UsageAccountId')} AS account,
	       ${q('lineItem/LineItemType')} AS type, ${q('lineItem/ProductCode')} AS product,
	       ${q('lineItem/UsageType')} AS usage_type, ${q('lineItem/Operation')} AS operation,
	       ${q('product/region')} AS region, ${owner} AS owner, ${tagset} AS tagset,
	       substr(${q('lineItem/UsageStartDate')}, 1, 10) AS day, ${q('lineItem/ResourceId')} AS resource,
	       ${costCols.map((c) => z(c) + ' AS ' + q(c)).join(', ')},
	       ${q('reservation/ReservationARN')} AS ri_arn
	FROM read_csv(${list}, header = true, types = ${types}, sample_size = 20000)`);
	const eff = `CASE type
	     WHEN 'DiscountedUsage' THEN ${q('reservation/EffectiveCost')}
	     WHEN 'SavingsPlanCoveredUsage' THEN ${q('savingsPlan/SavingsPlanEffectiveCost')}
	     WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
	     WHEN 'SavingsPlanRecurringFee' THEN ${q('savingsPlan/TotalCommitmentToDate')} - ${q('savingsPlan/UsedCommitment')}
	     WHEN 'RIFee' THEN ${q('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod')} + ${q('reservation/UnusedRecurringFee')}
	     WHEN 'Fee' THEN CASE WHEN coalesce(ri_arn, '') <> '' THEN 0 ELSE ${q('lineItem/UnblendedCost')} END
	     ELSE ${q('lineItem/UnblendedCost')} END`;
	await con.run(`CREATE TABLE facts AS SELECT payer, account, type, product, usage_type, operation,
	       region, owner, tagset, day, count(*) AS n, sum(${q('lineItem/UnblendedCost')}) AS unblended,
	       sum(${eff}) AS effective, sum(${q('lineItem/UsageAmount')}) AS usage,
	       sum(${q('pricing/publicOnDemandCost')}) AS public_od
	FROM src GROUP BY ALL`);
	await con.run(`CREATE TABLE resources AS SELECT payer, account, product, resource, count(*) AS n,
	       sum(${q('lineItem/UnblendedCost')}) AS unblended, sum(${eff}) AS effective
	FROM src WHERE coalesce(resource, '') <> '' GROUP BY ALL`);
	await con.run('DROP TABLE src');
	await con.run('COMMIT');
	await con.run('CHECKPOINT');
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	const r = await con.runAndReadAll('SELECT count(*)::VARCHAR, sum(unblended)::VARCHAR, sum(effective)::VARCHAR, (SELECT count(*) FROM resources)::VARCHAR FROM facts');
	const [groups, unblended, effective, resources] = r.getRows()[0];
	console.log(JSON.stringify({ mode, threads: Number(threads), seconds, groups, unblended, effective, resources }));
	con.closeSync?.();
	if (dir)
		rmSync(dir, { recursive: true, force: true });
	process.exit(0);
}

const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await db.connect();
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE agg AS ${sql}`);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const r = await con.runAndReadAll('SELECT count(*)::VARCHAR, sum(unblended)::VARCHAR, sum(effective)::VARCHAR FROM agg');
const [groups, unblended, effective] = r.getRows()[0];
console.log(JSON.stringify({ mode, threads: Number(threads), seconds, groups, unblended, effective }));
