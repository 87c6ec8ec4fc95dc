//! (filled by the hazards tests)
