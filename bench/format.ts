/** Number and table formatting shared by the Markdown report and the console summary. */

/**
 * `value` with exactly `digits` decimals and thousands separators.
 *
 * @example
 * ```ts
 * fmt(12345.678, 1); // "12,345.7"
 * ```
 */
export function fmt(value: number, digits: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * `value` with one decimal and an explicit sign.
 *
 * @example
 * ```ts
 * signed(2.54); // "+2.5"
 * ```
 */
export function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${fmt(value, 1)}`;
}

/**
 * A Markdown table.
 *
 * @example
 * ```ts
 * markdownTable(["route", "req/s"], [["GET /timing/sync", "890"]]);
 * ```
 */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Plain-text columns padded to their widest cell, for the console.
 *
 * @example
 * ```ts
 * alignColumns([["section", "ratio"], ["timing", "1.03"]]);
 * ```
 */
export function alignColumns(rows: string[][]): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...rows.map((row) => row[i]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
