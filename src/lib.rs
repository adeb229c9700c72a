//! ebpack
