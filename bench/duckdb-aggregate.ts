// DuckDB computing the same per-account aggregates as a reference point.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads] = [process.argv[2]!, process.argv[3] ?? '2'];
const instance = await DuckDBInstance.create(':memory:', { threads });
const connection = await instance.connect();
const result = await connection.runAndReadAll(
  `SELECT "user", count(*) AS n, min(rtt_ms), quantile_cont(rtt_ms, 0.05), median(rtt_ms), quantile_cont(rtt_ms, 0.95), max(rtt_ms)
   FROM read_csv('${file.replace(/'/g, "''")}', header = true) GROUP BY "user"`,
);
process.stdout.write(`${result.getRows().length} accounts\n`);
process.stderr.write(`peak rss ${process.resourceUsage().maxRSS} KiB\n`);
