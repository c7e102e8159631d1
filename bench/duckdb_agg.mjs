// duckdb_agg.mjs: the DuckDB side of the import benchmark (bench/import_bench.sh).
//
// Reads the same legacy-CUR CSV files rebill imports, with read_csv, and
// computes the same per-day aggregate (payer, account, line item type,
// product, region, day) with the spec §3 amortized (effective) CASE.
// mode "double": cost columns typed DOUBLE (DuckDB's fastest form, inexact);
// mode "decimal": DECIMAL(38,10) (exact, like rebill).
// Usage: node duckdb_agg.mjs double|decimal THREADS FILE...
// Prints one JSON line: {"mode","threads","seconds","groups","unblended","effective"}.
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, threads, ...files] = process.argv.slice(2);
if (!['double', 'decimal'].includes(mode) || !threads || files.length === 0) {
	console.error('usage: node duckdb_agg.mjs double|decimal THREADS FILE...');
	process.exit(1);
}
const t = mode === 'double' ? 'DOUBLE' : 'DECIMAL(38,10)';
const costCols = [
	'lineItem/UnblendedCost', 'lineItem/UsageAmount', 'pricing/publicOnDemandCost',
	'reservation/EffectiveCost', 'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
	'reservation/UnusedRecurringFee', 'savingsPlan/SavingsPlanEffectiveCost',
	'savingsPlan/TotalCommitmentToDate', 'savingsPlan/UsedCommitment',
];
const types = '{' + costCols.map((c) => `'${c}': '${t}'`).join(', ') + '}';
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

const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await db.connect();
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE agg AS ${sql}`);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const r = await con.runAndReadAll('SELECT count(*)::VARCHAR, sum(unblended)::VARCHAR, sum(effective)::VARCHAR FROM agg');
const [groups, unblended, effective] = r.getRows()[0];
console.log(JSON.stringify({ mode, threads: Number(threads), seconds, groups, unblended, effective }));
