//! A board per round and per phase, vote budgets per board, deleting and editing post-its,
//! personal notes, topics from formats.
