// The shared document read as plain data, for views that only show it (the projector and
// the print pages). Every reader tolerates a container the server has not made yet: it then
// reads as empty. Labels come from the template, in the chosen language.
import * as Y from 'yjs';
import { loc } from '../i18n';
import type { ConnectionFormatActivity, GuideActivity, ListActivity, NotesActivity, PlanActivity } from '../net/workshop-types';
import {
  ACTION_DATE,
  ACTION_OWNER,
  ACTION_TEXT,
  arrayAt,
  connectionKey,
  FORMAT_ACTIVITY,
  FORMAT_CREATED,
  FORMATS,
  followUpKey,
  GUIDES,
  guideCheckedKey,
  guideNotesKey,
  LISTS,
  mapAt,
  NOTES,
  PLAN_COLUMNS,
  PLANS,
  ROW_ID,
  rowsOf,
  sideBlockKey,
  sideNameKey,
} from './doc-schema';

/** A value in a map or row as text: a Y.Text's content, a plain string, else empty. */
function textOf(map: Y.Map<unknown> | null | undefined, key: string): string {
  const value = map?.get(key);
  if (value instanceof Y.Text) return value.toString();
  return typeof value === 'string' ? value : '';
}

export interface LabelledText {
  label: string;
  text: string;
}

export interface ActionRow {
  text: string;
  owner: string;
  date: string;
}

export interface FollowUpBlock {
  label: string;
  /** A text block's text; null for the actions block. */
  text: string | null;
  actions: ActionRow[];
}

export interface FormatSideData {
  /** The programme's name as typed, or the template's label. */
  name: string;
  blocks: LabelledText[];
}

export interface FormatData {
  id: string;
  sides: FormatSideData[];
  connections: LabelledText[];
  followUp: FollowUpBlock[];
}

function readFormat(id: string, map: Y.Map<unknown> | null, activity: ConnectionFormatActivity): FormatData {
  return {
    id,
    sides: activity.sides.map((side) => ({
      name: (side.name_editable && textOf(map, sideNameKey(side.id)).trim()) || loc(side.label),
      blocks: activity.side_blocks.map((block) => ({ label: loc(block.label), text: textOf(map, sideBlockKey(side.id, block.id)) })),
    })),
    connections: (activity.connections ?? []).map((block) => ({ label: loc(block.label), text: textOf(map, connectionKey(block.id)) })),
    followUp: (activity.follow_up ?? []).map((block) =>
      block.input === 'actions'
        ? {
            label: loc(block.label),
            text: null,
            actions: rowsOf(arrayAt(map, followUpKey(block.id)))
              .map((row) => ({ text: textOf(row, ACTION_TEXT), owner: textOf(row, ACTION_OWNER), date: textOf(row, ACTION_DATE) }))
              .filter((a) => a.text.trim() || a.owner.trim()),
          }
        : { label: loc(block.label), text: textOf(map, followUpKey(block.id)), actions: [] },
    ),
  };
}

/** Every format of the activity, oldest first (the order the workshop made them in). */
export function readFormats(doc: Y.Doc, activity: ConnectionFormatActivity): FormatData[] {
  const formats = doc.getMap<unknown>(FORMATS);
  return [...formats.entries()]
    .filter((entry): entry is [string, Y.Map<unknown>] => entry[1] instanceof Y.Map)
    .filter(([, map]) => map.get(FORMAT_ACTIVITY) === activity.id)
    .sort(([a, x], [b, y]) => Number(x.get(FORMAT_CREATED) ?? 0) - Number(y.get(FORMAT_CREATED) ?? 0) || a.localeCompare(b))
    .map(([id, map]) => readFormat(id, map, activity));
}

/** A format with every field empty: the blank one to print. */
export function blankFormat(activity: ConnectionFormatActivity): FormatData {
  return readFormat('blank', null, activity);
}

export interface TableData {
  columns: string[];
  /** One array of cells per row, in the columns' order; empty rows left out. */
  rows: Array<{ id: string; cells: string[] }>;
}

function table(columns: string[], keys: readonly string[], array: Y.Array<unknown> | null): TableData {
  const rows = rowsOf(array)
    .map((row, i) => ({ id: String(row.get(ROW_ID) ?? i), cells: keys.map((key) => textOf(row, key)) }))
    .filter((row) => row.cells.some((cell) => cell.trim()));
  return { columns, rows };
}

export function readList(doc: Y.Doc, activity: ListActivity): TableData {
  const columns = activity.columns.map((c) => loc(c.label));
  const data = table(columns, activity.columns.map((c) => c.id), arrayAt(doc.getMap<unknown>(LISTS), activity.id));
  // A choice is stored as the option's Dutch text; shown in the chosen language.
  for (const row of data.rows) {
    activity.columns.forEach((column, i) => {
      const option = column.options?.find((o) => o.nl === row.cells[i]);
      if (option) row.cells[i] = loc(option);
    });
  }
  return data;
}

export function readPlan(doc: Y.Doc, activity: PlanActivity): TableData {
  const columns = PLAN_COLUMNS.map((c) => loc(activity[c].label));
  return table(columns, PLAN_COLUMNS, arrayAt(doc.getMap<unknown>(PLANS), activity.id));
}

export interface GuideQuestion {
  question: string;
  asked: boolean;
  notes: string;
}

export function readGuide(doc: Y.Doc, activity: GuideActivity): GuideQuestion[] {
  const map = mapAt(doc.getMap<unknown>(GUIDES), activity.id);
  return activity.questions.map((question, n) => ({
    question: loc(question),
    asked: map?.get(guideCheckedKey(n)) === true,
    notes: textOf(map, guideNotesKey(n)),
  }));
}

/** Shared notes' text; personal notes are nobody else's and read as empty. */
export function readNotes(doc: Y.Doc, activity: NotesActivity): string {
  return activity.personal ? '' : textOf(doc.getMap<unknown>(NOTES), activity.id);
}
