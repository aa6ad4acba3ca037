//! Python `jsonschema`'s walk: a schema applied to an instance keyword by keyword, in the
//! order the schema lists them, depth first, with the instance and schema paths and the
//! dynamic scope Python keeps. The keyword families it dispatches to are its siblings.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::super::pattern::Searches;
use super::super::python_repr::repr;
use super::super::registry::{Registry, Resolved};
use super::assertions::assertion;
use super::compare::matches_type;
use super::{MAX_DEPTH, PyError, Step, Stop};

/// One run of the validator: where it is in the instance and in the dynamic scope.
pub(super) struct Walk<'r, 'a> {
    pub(super) registry: &'r Registry<'a>,
    /// Assert `format: regex` (only the meta-schema check does).
    pub(super) regex_format: bool,
    /// Where pattern searches run.
    pub(super) searches: Searches<'r>,
    pub(super) path: Vec<Step>,
    /// The schema path walked to the keyword being applied.
    pub(super) schema_path: Vec<Step>,
    /// Base URIs of the schema resources entered, outermost first.
    pub(super) scope: Vec<String>,
    /// (schema, instance, stops at the first error) being validated, by address: meeting
    /// one again means Python would recurse forever. (A schema re-entered in the other mode
    /// may end: a validation that stops at its first error can stop before the cycle.)
    pub(super) active: Vec<(usize, usize, bool)>,
    /// Where each `$ref` (by the address of its string) led: a reference's target depends
    /// only on where it stands in the document.
    pub(super) resolved: HashMap<usize, Resolved<'a>>,
    pub(super) depth: usize,
}

pub(super) type Out = Result<(), Stop>;

/// A keyword being applied: its name and value, the schema object holding it, the instance,
/// the base URI, and whether to stop at the first error.
#[derive(Clone, Copy)]
pub(super) struct At<'s, 'i> {
    pub(super) keyword: &'s str,
    pub(super) value: &'s Value,
    pub(super) schema: &'s Map<String, Value>,
    pub(super) instance: &'i Value,
    pub(super) base: &'s str,
    pub(super) first: bool,
}

impl<'r, 'a> Walk<'r, 'a> {
    pub(super) fn new(
        registry: &'r Registry<'a>,
        root: &Value,
        regex_format: bool,
        searches: Searches<'r>,
    ) -> Self {
        Walk {
            registry,
            regex_format,
            searches,
            path: Vec::new(),
            schema_path: Vec::new(),
            scope: vec![Registry::base_of("", root).into_owned()],
            active: Vec::new(),
            resolved: HashMap::new(),
            depth: 0,
        }
    }

    pub(super) fn run(
        &mut self,
        schema: &Value,
        instance: &Value,
        first: bool,
    ) -> Result<Vec<PyError>, Stop> {
        let mut errors = Vec::new();
        let base = self.scope[0].clone();
        self.descend(schema, instance, &base, &mut errors, first)?;
        Ok(errors)
    }

    /// Python's `descend`: every keyword of `schema` in order. With `first`, stops at the
    /// first error, as Python's lazy `is_valid` does.
    pub(super) fn descend<'s>(
        &mut self,
        schema: &'s Value,
        instance: &Value,
        base: &str,
        errors: &mut Vec<PyError>,
        first: bool,
    ) -> Out
    where
        'a: 's,
    {
        let map = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => {
                // No schema object holds it, so it matches no declared type.
                let message = format!("False schema does not allow {}", repr(instance));
                errors.push(self.error("falseSchema", message, &Map::new(), instance));
                return Ok(());
            }
            Value::Object(map) => map,
            other => {
                return Err(Stop::Crash(format!(
                    "a reference leads to {}, which is not a schema",
                    repr(other)
                )));
            }
        };
        let key = (
            schema as *const Value as usize,
            instance as *const Value as usize,
            first,
        );
        if self.depth >= MAX_DEPTH || self.active.contains(&key) {
            return Err(Stop::Recursion);
        }
        self.active.push(key);
        self.depth += 1;
        let base = Registry::base_of(base, schema);
        let entered = self.scope.last().map(String::as_str) != Some(&*base);
        if entered {
            self.scope.push(base.clone().into_owned());
        }
        for (keyword, value) in map {
            let at = At {
                keyword,
                value,
                schema: map,
                instance,
                base: &base,
                first,
            };
            // Python's `iter_errors` puts each keyword on its errors' schema path, except
            // `$ref` and `if`.
            let stepped = !matches!(keyword.as_str(), "$ref" | "if");
            if stepped {
                self.schema_path.push(Step::Key(keyword.clone()));
            }
            self.keyword(&at, errors)?;
            if stepped {
                self.schema_path.pop();
            }
            if first && !errors.is_empty() {
                break;
            }
        }
        if entered {
            self.scope.pop();
        }
        self.active.pop();
        self.depth -= 1;
        Ok(())
    }

    /// Python's `is_valid` for a subschema: validation up to the first error.
    pub(super) fn is_valid<'s>(
        &mut self,
        schema: &'s Value,
        instance: &Value,
        base: &str,
    ) -> Result<bool, Stop>
    where
        'a: 's,
    {
        let mut errors = Vec::new();
        self.descend(schema, instance, base, &mut errors, true)?;
        Ok(errors.is_empty())
    }

    /// Records that the keyword at `at` fails, with Python's message.
    pub(super) fn fail(&self, at: &At<'_, '_>, errors: &mut Vec<PyError>, message: String) {
        errors.push(self.error(at.keyword, message, at.schema, at.instance));
    }

    pub(super) fn error(
        &self,
        keyword: &str,
        message: String,
        schema: &Map<String, Value>,
        instance: &Value,
    ) -> PyError {
        PyError {
            path: self.path.clone(),
            schema_path: self.schema_path.clone(),
            base: 0,
            keyword: keyword.to_owned(),
            message,
            matches_type: matches_type(schema, instance),
            context: Vec::new(),
        }
    }

    pub(super) fn lookup(&self, base: &str, reference: &str) -> Result<Resolved<'a>, Stop> {
        self.registry
            .lookup(base, reference, &self.scope)
            .map_err(Stop::Unresolvable)
    }

    /// Descends into `schema` for `instance`, one `step` below the current instance when
    /// given, and one `schema_step` below the keyword on the schema path when given (the
    /// property, pattern or position of the subschema). `true` when the walk must stop: it
    /// looks for one error and has found it.
    pub(super) fn child<'s>(
        &mut self,
        at: &At<'s, '_>,
        (step, schema_step): (Option<Step>, Option<Step>),
        schema: &'s Value,
        instance: &Value,
        errors: &mut Vec<PyError>,
    ) -> Result<bool, Stop>
    where
        'a: 's,
    {
        let stepped = step.is_some();
        let schema_stepped = schema_step.is_some();
        self.path.extend(step);
        self.schema_path.extend(schema_step);
        self.descend(schema, instance, at.base, errors, at.first)?;
        if stepped {
            self.path.pop();
        }
        if schema_stepped {
            self.schema_path.pop();
        }
        Ok(at.first && !errors.is_empty())
    }

    /// One keyword of a schema, as Python's `VALIDATORS[keyword]` handles it. Keywords that
    /// apply subschemas have functions of their own and the rest share [`assertion`], so
    /// that only small frames sit on the stack while validation recurses (deeply nested
    /// input must not exhaust the browser's stack).
    pub(super) fn keyword<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        match at.keyword {
            "$ref" | "$dynamicRef" => self.reference(at, errors),
            "properties" | "patternProperties" | "additionalProperties" => {
                self.properties(at, errors)
            }
            "propertyNames" => self.property_names(at, errors),
            "dependentSchemas" | "allOf" => self.same_instance(at, errors),
            "items" | "prefixItems" => self.items(at, errors),
            "contains" => self.contains(at, errors),
            "anyOf" | "oneOf" => self.any_or_one_of(at, errors),
            "not" | "if" => self.not_or_if(at, errors),
            "unevaluatedItems" | "unevaluatedProperties" => self.unevaluated(at, errors),
            _ => {
                for message in assertion(at, self.regex_format, self.searches)? {
                    self.fail(at, errors, message);
                }
                Ok(())
            }
        }
    }

    /// `$ref` and `$dynamicRef`.
    pub(super) fn reference<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let Value::String(reference) = at.value else {
            return Ok(());
        };
        // A `$ref`'s target depends only on where it stands; a `$dynamicRef`'s also on the
        // scope, so only the first is remembered.
        let resolved = if at.keyword == "$ref" {
            let key = reference as *const String as usize;
            match self.resolved.get(&key) {
                Some(resolved) => resolved.clone(),
                None => {
                    let resolved = self.lookup(at.base, reference)?;
                    self.resolved.insert(key, resolved.clone());
                    resolved
                }
            }
        } else {
            self.lookup(at.base, reference)?
        };
        self.descend(
            resolved.schema,
            at.instance,
            &resolved.base,
            errors,
            at.first,
        )
    }
}
