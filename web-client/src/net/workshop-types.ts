// The workshop's views and the template's shape, mirrored from protocol/src/workshop.rs and
// protocol/src/template/ (the Rust types are the source of truth). Everything here arrives
// from the server as JSON; fields the Rust side skips when empty are optional here.
import type { Role } from './control';

/** Server time in ms since the Unix epoch. */
export type ServerMillis = number;

export interface LocalizedText {
  nl: string;
  en?: string;
}

// ---- template ----

export interface Template {
  id: string;
  version: number;
  title: LocalizedText;
  languages: Array<'nl' | 'en'>;
  phases: Phase[];
}

export interface Assignment {
  title: LocalizedText;
  instruction: LocalizedText;
}

export interface Phase {
  id: string;
  title: LocalizedText;
  text: LocalizedText;
  assignments: Assignment[];
  result: LocalizedText;
  duration_minutes: number;
  activities: Activity[];
}

interface ActivityBase {
  id: string;
  title: LocalizedText;
  intro?: LocalizedText;
}

export interface FormatSide {
  id: string;
  label: LocalizedText;
  help?: LocalizedText;
  name_editable?: boolean;
}

export interface FormatBlock {
  id: string;
  label: LocalizedText;
  help?: LocalizedText;
  /** Absent means `text`. */
  input?: 'text' | 'actions';
}

export interface ConnectionFormatActivity extends ActivityBase {
  kind: 'connection_format';
  repeatable?: boolean;
  sides: FormatSide[];
  side_blocks: FormatBlock[];
  connections?: FormatBlock[];
  follow_up?: FormatBlock[];
}

export type StageRole = 'owner' | 'helpers' | 'everyone';

export interface CarouselStage {
  id: string;
  label: LocalizedText;
  instruction: LocalizedText;
  minutes: number;
  who: StageRole;
}

export interface CarouselActivity extends ActivityBase {
  kind: 'brainstorm_carousel';
  /** Follow-up blocks of the formats whose lines are offered as round topics. */
  topics_from?: string[];
  stages: CarouselStage[];
}

export interface VisualisationActivity extends ActivityBase {
  kind: 'guided_visualisation';
  tips?: LocalizedText[];
  questions: LocalizedText[];
  silence_seconds: number;
}

export interface Column {
  id: string;
  label: LocalizedText;
  help?: LocalizedText;
  options?: LocalizedText[];
}

export interface ListActivity extends ActivityBase {
  kind: 'list';
  columns: Column[];
}

export interface GuideActivity extends ActivityBase {
  kind: 'conversation_guide';
  tips?: LocalizedText[];
  questions: LocalizedText[];
}

export interface Heading {
  label: LocalizedText;
  help?: LocalizedText;
}

export interface PlanActivity extends ActivityBase {
  kind: 'communication_plan';
  audience: Heading;
  knowledge: Heading;
  approach: Heading;
}

export interface NotesActivity extends ActivityBase {
  kind: 'notes';
  /** Each person writes their own note (kept by the server, seen only by them). */
  personal?: boolean;
}

export type Activity =
  | ConnectionFormatActivity
  | CarouselActivity
  | VisualisationActivity
  | ListActivity
  | GuideActivity
  | PlanActivity
  | NotesActivity;

// ---- views ----

export interface ParticipantView {
  id: string;
  name: string;
  role: Role;
  online: boolean;
}

export interface Settings {
  anonymous_posting: boolean;
  votes_per_participant: number;
  auto_next_round: boolean;
}

export interface PhaseView {
  index: number;
  phase_id: string;
  count: number;
}

export type ClockView =
  | { status: 'idle' }
  | { status: 'running'; deadline: ServerMillis }
  | { status: 'paused'; remaining_ms: number }
  | { status: 'done' };

export interface NextStep {
  text: string;
  owner: string;
  /** YYYY-MM-DD */
  date: string;
}

export interface RoundView {
  id: string;
  topic: string;
  owner_id: string;
  owner_name: string;
  next_step: NextStep | null;
  /** The round has been started; "next round" goes to the first one that has not. */
  ran?: boolean;
}

export interface StageView {
  id: string;
  who: StageRole;
  duration_ms: number;
}

export interface CarouselView {
  activity_id: string;
  seq: number;
  rounds: RoundView[];
  current_round: number | null;
  stage_index: number;
  stages: StageView[];
  clock: ClockView;
  server_time: ServerMillis;
}

export interface VisualisationView {
  activity_id: string;
  seq: number;
  asker_id: string | null;
  question_index: number;
  question_count: number;
  silence: ClockView;
  server_time: ServerMillis;
}

export interface IdeaView {
  id: string;
  text: string;
  author_id: string | null;
  author_name: string | null;
  client_ref: string;
  created_at: number;
  phase_id: string;
  round_id: string | null;
  stage_id: string | null;
  /** `round:{round_id}` for a carousel round, else `phase:{phase_id}`. */
  board: string;
  votes: number;
  group_id: string | null;
  hidden: boolean;
}

/** A line from a connection format offered as a carousel round's topic. */
export interface TopicSuggestion {
  text: string;
  format_id: string;
  block_id: string;
}

/** Who said "klaar" for the current stage or assignment (participants only). */
export interface ReadyView {
  participant_ids: string[];
}

export interface GroupView {
  id: string;
  label: string;
}

export interface SessionView {
  title: string;
  join_code: string;
  template: Template;
  phase: PhaseView;
  settings: Settings;
  participants: ParticipantView[];
  carousel: CarouselView | null;
  visualisation: VisualisationView | null;
  ideas: IdeaView[];
  groups: GroupView[];
  my_votes: string[];
  /** Post-its this participant wrote, anonymous ones included (only they learn those). */
  my_ideas?: string[];
  /** This person's own notes for personal notes activities, by activity id. */
  my_notes?: Record<string, string>;
  /** The board new post-its go to; participants and the display show it. */
  board: string;
  /** Who said "klaar" for the current stage or assignment (absent from older servers). */
  ready?: ReadyView;
}
