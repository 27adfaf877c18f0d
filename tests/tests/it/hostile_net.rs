//! Attacks on the connection and HTTP layer: log floods, slow and silent clients, foreign
//! origins, session creation.
