/**
 * @module resources/import/source
 * What every import reader (JSON Lines, CSV, MARC) yields, one unit at a time.
 */

/** One item read from an import file: a record to validate, or a reason the unit could not be read. `n` is the 1-based line (JSON Lines, CSV) or record number (MARC). */
export type ImportItem = { n: number; value: unknown } | { n: number; error: string }
