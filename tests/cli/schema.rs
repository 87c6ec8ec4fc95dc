//! (filled by the schema tests)
