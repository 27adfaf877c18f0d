//! Attacks with a valid join code: view bloat, join and post-it floods, guessing join codes.
