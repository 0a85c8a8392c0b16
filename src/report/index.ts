// The report layer: one pure renderer per format, Report -> string. Nothing here
// prints, reads the environment or exits; the CLI decides colour, width and where
// the string goes.

import type { Report } from '../types.js';
import { renderCsv } from './csv.js';
import { renderJson, renderJsonl } from './json.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  /** ANSI colour (table only). The CLI decides from --no-color, NO_COLOR and the TTY. */
  color: boolean;
  /** Limit the ranked accounts listed (null: all); header and summary still count all. */
  top: number | null;
  /** Terminal width in columns (table only); a fixed default when absent. */
  width?: number;
}

export type ReportFormat = 'table' | 'json' | 'jsonl' | 'csv';

export type Renderer = (report: Report, opts: RenderOptions) => string;

export const renderers: Record<ReportFormat, Renderer> = {
  table: (report, opts) => renderTable(report, opts),
  json: (report, opts) => renderJson(report, { top: opts.top }),
  jsonl: (report, opts) => renderJsonl(report, { top: opts.top }),
  csv: (report, opts) => renderCsv(report, { top: opts.top }),
};

export const REPORT_FORMATS = Object.keys(renderers) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
  return Object.prototype.hasOwnProperty.call(renderers, name);
}

export { CSV_COLUMNS, renderCsv } from './csv.js';
export { SCHEMA_ID, SCHEMA_VERSION, canonicalReport, renderJson, renderJsonl, roundMs, roundSig, selectAccounts } from './json.js';
export { csvCell, escapeControls, htmlEscape, markdownEscape, terminalSafe } from './sanitize.js';
export { renderTable, sparkline } from './table.js';
