//! App-wide state, each provided once at the root and read with `use_*`.

pub mod session;
