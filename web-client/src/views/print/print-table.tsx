// A table on paper, with some empty rows to write on by hand.
import type { TableData } from '../../state/doc-read';
import { DataTable } from '../data-table';

export function PrintTable({ data, emptyRows = 0, caption }: { data: TableData; emptyRows?: number; caption?: string }) {
  return <DataTable data={data} class="print-table" emptyRows={emptyRows} caption={caption} />;
}
