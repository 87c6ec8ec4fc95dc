//! (filled by the linkage tests)
