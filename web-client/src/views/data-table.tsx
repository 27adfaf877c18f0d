// A table of rows from the shared document (a list of phase 2, the communication plan), as the
// projector shows it (only the rows that fit, each marked for the fit measurement) and as paper
// has it (with empty rows to write on by hand).
import type { TableData } from '../state/doc-read';

interface Props {
  data: TableData;
  class: string;
  /** How many rows to show (the projector's fit); all by default. */
  shown?: number;
  /** Marks each row for `FitBox`'s measurement. */
  fitItems?: boolean;
  /** Empty rows after the data, for paper. */
  emptyRows?: number;
  caption?: string;
  /** Said in the table when it has no rows yet. */
  emptyText?: string;
}

export function DataTable({ data, class: className, shown = data.rows.length, fitItems = false, emptyRows = 0, caption, emptyText }: Props) {
  return (
    <table class={className}>
      {caption && <caption class="sr-only">{caption}</caption>}
      <thead>
        <tr>
          {data.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.rows.slice(0, Math.max(0, shown)).map((row) => (
          <tr key={row.id} data-fit-item={fitItems ? true : undefined}>
            {row.cells.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
        {data.rows.length === 0 && emptyText && (
          <tr>
            <td colSpan={data.columns.length} class="muted">
              {emptyText}
            </td>
          </tr>
        )}
        {Array.from({ length: emptyRows }, (_, n) => (
          <tr key={`empty-${n}`} class="data-table__empty">
            {data.columns.map((c) => (
              <td key={c}>&nbsp;</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
