// Words that fill a cell which holds nothing: one list for value cells (generic.ts), user cells
// (accounts.ts) and location cells (gazetteer.ts), each adding its own domain's words. Before,
// each had its own copy, and they differed (a location of '#N/A' was looked up as a place).

/**
 * The core: what spreadsheets, databases and exports write for no entry (matched whole, any case).
 * 'na' without its slash is not here: it may be a user's login; value and location cells add it.
 */
export const NO_ENTRY_WORDS = String.raw`n\/a|#n\/a|null|nil|none|unknown|undefined|-+|\u2014|\?+`;

/** A pattern matching the core words and `extra` (alternatives of a regular expression), whole cell, any case. */
export function noEntryPattern(extra = ''): RegExp {
  return new RegExp(`^(?:${NO_ENTRY_WORDS}${extra === '' ? '' : `|${extra}`})$`, 'i');
}
