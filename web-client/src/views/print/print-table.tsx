// A table on paper, with some empty rows to write on by hand.
import type { TableData } from '../../state/doc-read';

export function PrintTable({ data, emptyRows = 0, caption }: { data: TableData; emptyRows?: number; caption?: string }) {
  return (
    <table class="print-table">
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
        {data.rows.map((row) => (
          <tr key={row.id}>
            {row.cells.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
        {Array.from({ length: emptyRows }, (_, n) => (
          <tr key={`empty-${n}`} class="print-table__empty">
            {data.columns.map((c) => (
              <td key={c}>&nbsp;</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
