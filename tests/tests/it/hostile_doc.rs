//! Attacks through the document: oversized sessions, client-id floods, schema overwrites,
//! unbounded growth, deep chains across updates.
