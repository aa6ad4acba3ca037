//! Run input: the typed answer a pause asks for, and how the server checks it.
//!
//! The server hydrates placeholders ([`hydrate`]), preprocesses the stored schema
//! ([`schema`]) and validates ([`validate`]), with Python's `json` and `jsonschema` wording
//! ([`python_json`], [`python_repr`]).

pub mod hydrate;
pub mod python_json;
pub mod python_repr;
mod reach;
pub mod schema;
pub mod validate;

pub use hydrate::{Hydration, hydrate};
pub use validate::{Validation, ValidationIssue, validate};
