//! Run input: the typed answer a pause asks for, and how the server checks it.
//!
//! The server hydrates placeholders ([`mod@hydrate`]), preprocesses the stored schema
//! (`schema`) and validates ([`mod@validate`]), with Python's `json` and `jsonschema` wording
//! ([`python_json`], [`python_repr`]).

mod check;
pub mod hydrate;
mod pattern;
pub mod python_json;
pub mod python_repr;
mod registry;
mod schema;
pub mod validate;
mod validator;

pub use check::{
    CIRCULAR_SCHEMA, InputCheck, SCHEMA_NOT_FOUND, SCHEMA_NOT_JSON, StoredSchema, Undecided,
    check_run_input, check_run_input_with,
};
pub use hydrate::{Hydration, hydrate};
pub use pattern::Searches;
#[cfg(feature = "search-elsewhere")]
pub use pattern::elsewhere::{PatternCheck, SearchOutcome, SearchesElsewhere};
pub use validate::{Keyword, PathSegment, Validation, ValidationIssue, validate, validate_with};
