//! (filled by the issue 12 work; see crate::ids)
