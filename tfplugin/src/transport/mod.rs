//! go-plugin transport (work in progress).
