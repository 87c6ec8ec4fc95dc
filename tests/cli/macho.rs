//! (filled by the macho tests)
