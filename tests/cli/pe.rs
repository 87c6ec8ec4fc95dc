//! (filled by the pe tests)
