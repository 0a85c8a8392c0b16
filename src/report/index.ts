// The report layer: one pure renderer per format, Report -> string. Nothing here
// prints, reads the environment or exits; the CLI decides colour, width and where
// the string goes.

import type { Report } from '../types.js';
import { renderCsv } from './csv.js';
import { renderHtml, renderHtmlPieces } from './html.js';
import { renderJson, renderJsonPieces, renderJsonl, renderJsonlPieces } from './json.js';
import { renderMarkdown, type RenderedFile } from './markdown.js';
import { renderTable, renderTablePieces } from './table.js';

export interface RenderOptions {
  /** ANSI colour (table only). The CLI decides from --no-color, NO_COLOR and the TTY. */
  color: boolean;
  /** Limit the ranked accounts listed (null: all); header and summary still count all. */
  top: number | null;
  /** Terminal width in columns (table only); a fixed default when absent. */
  width?: number;
  /**
   * Folder, relative to the report file, where a format may put files beside it (md: chart SVGs);
   * null/absent when the report goes to stdout (charts are then omitted with a note). Only
   * `renderReport` returns such files.
   */
  chartDir?: string | null;
}

export type ReportFormat = 'table' | 'json' | 'jsonl' | 'csv' | 'md' | 'html';

export type Renderer = (report: Report, opts: RenderOptions) => string;

export const renderers: Record<ReportFormat, Renderer> = {
  table: (report, opts) => renderTable(report, opts),
  json: (report, opts) => renderJson(report, { top: opts.top }),
  jsonl: (report, opts) => renderJsonl(report, { top: opts.top }),
  csv: (report, opts) => renderCsv(report, { top: opts.top }),
  md: (report, opts) => renderMarkdown(report, { top: opts.top }).text,
  html: (report, opts) => renderHtml(report, { top: opts.top }),
};

export type { RenderedFile } from './markdown.js';

/** A rendered report and the files to write beside it (paths relative to the report's folder). */
export interface RenderResult {
  text: string;
  files: RenderedFile[];
}

/** Formats that can write files beside the report (when `opts.chartDir` is set). */
const fileRenderers: Partial<Record<ReportFormat, (report: Report, opts: RenderOptions) => RenderResult>> = {
  md: (report, opts) => renderMarkdown(report, { top: opts.top, chartDir: opts.chartDir ?? null }),
};

/** What the CLI calls: the text, plus files for formats that have them (else none). */
export function renderReport(format: ReportFormat, report: Report, opts: RenderOptions): RenderResult {
  const withFiles = fileRenderers[format];
  return withFiles ? withFiles(report, opts) : { text: renderers[format](report, opts), files: [] };
}

/** Formats rendered piece by piece (one account at a time), for writing as they come. */
const pieceRenderers: Partial<Record<ReportFormat, (report: Report, opts: RenderOptions) => Iterable<string>>> = {
  json: (report, opts) => renderJsonPieces(report, { top: opts.top }),
  jsonl: (report, opts) => renderJsonlPieces(report, { top: opts.top }),
  table: (report, opts) => renderTablePieces(report, opts),
  html: (report, opts) => renderHtmlPieces(report, { top: opts.top }),
};

/**
 * What the CLI writes from: the text in pieces whose concatenation is `renderReport(...).text`.
 * JSON and JSON Lines come one account at a time, the table and the HTML page a group of rows at a
 * time, so the whole text of a 10,000-account report is never in memory at once; other formats
 * (CSV, Markdown) come as one piece.
 */
export function renderReportPieces(format: ReportFormat, report: Report, opts: RenderOptions): { pieces: Iterable<string>; files: RenderedFile[] } {
  const streamed = pieceRenderers[format];
  if (streamed) return { pieces: streamed(report, opts), files: [] };
  const { text, files } = renderReport(format, report, opts);
  return { pieces: [text], files };
}

export const REPORT_FORMATS = Object.keys(renderers) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
  return Object.prototype.hasOwnProperty.call(renderers, name);
}

export { CSV_COLUMNS, renderCsv } from './csv.js';
export { SCHEMA_ID, SCHEMA_VERSION, canonicalReport, renderJson, renderJsonl, roundMs, roundSig, selectAccounts } from './json.js';
export { csvCell, escapeControls, htmlEscape, markdownEscape, terminalSafe } from './sanitize.js';
export { renderTable, sparkline } from './table.js';
export { renderHtml, CSP } from './html.js';
export { renderMarkdown } from './markdown.js';
export { renderAccountChart, type AccountChartOptions } from './terminal-chart.js';
