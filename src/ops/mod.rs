//! Pure operations on the documents: evaluate expectations (`expect`), check binaries
//! and reports against a policy (`check`), compare two build reports (`diff`) and merge
//! several (`merge`). Documents in, documents out; no rendering, no files.

pub mod check;
pub mod diff;
pub mod expect;
pub mod merge;
