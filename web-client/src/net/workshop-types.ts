// The workshop's views and the template's shape. The types themselves are generated from the
// Rust types (protocol/src/workshop.rs and protocol/src/template/) into ./generated/protocol.ts;
// this file only re-exports them and names each activity kind, as the components use them.
import type { Activity } from './generated/protocol';

export type {
  Activity,
  Assignment,
  BlockInput,
  CarouselStage,
  CarouselView,
  ClockView,
  Column,
  FormatBlock,
  FormatSide,
  GroupView,
  Heading,
  IdeaView,
  Language,
  LocalizedText,
  NextStep,
  ParticipantView,
  Phase,
  PhaseView,
  ReadyView,
  RoundView,
  SessionView,
  Settings,
  StageRole,
  StageView,
  Template,
  TopicSuggestion,
  VisualisationView,
} from './generated/protocol';

/** Server time in ms since the Unix epoch. */
export type ServerMillis = number;

/** The activity of one `kind`, with its `kind`. */
export type ActivityOfKind<K extends Activity['kind']> = Extract<Activity, { kind: K }>;

export type ConnectionFormatActivity = ActivityOfKind<'connection_format'>;
export type CarouselActivity = ActivityOfKind<'brainstorm_carousel'>;
export type VisualisationActivity = ActivityOfKind<'guided_visualisation'>;
export type ListActivity = ActivityOfKind<'list'>;
export type GuideActivity = ActivityOfKind<'conversation_guide'>;
export type PlanActivity = ActivityOfKind<'communication_plan'>;
export type NotesActivity = ActivityOfKind<'notes'>;
