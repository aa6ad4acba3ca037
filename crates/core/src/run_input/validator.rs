//! Python `jsonschema` 4.26's Draft 2020-12 validator, keyword by keyword, as Prefect runs it
//! on resume: the same errors, met in the same order (schema keywords in the order the
//! schema lists them, depth first), worded as Python words them, with the paths and
//! `context` that `best_match` ranks.
//!
//! It is our own rather than a general-purpose crate because what the server answers is
//! defined by Python's iteration order and messages, which a general validator neither
//! keeps nor words the same; and because the `jsonschema` crate with its two regex engines
//! weighs over a megabyte of WebAssembly, three times the npm package's whole budget. The
//! differential test against Prefect's own validator keeps it honest.
//!
//! Formats are not asserted, as on resume, except `regex` while checking a stored schema
//! against the meta-schema (Python's `check_schema` does). The meta-schema documents in
//! `metaschema/` are json-schema.org's Draft 2020-12, as `jsonschema-specifications` ships them.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{Map, Number, Value};

use super::pattern;
use super::python_repr::{number_repr, repr};
use super::registry::{Registry, Resolved};

/// One step of an instance or schema path, typed as Python's `error.path` holds it.
pub(crate) use super::validate::PathSegment as Step;

/// A validation error shaped like Python's `jsonschema.ValidationError`.
#[derive(Debug, Clone)]
pub(crate) struct PyError {
    /// Absolute path of the instance.
    pub(crate) path: Vec<Step>,
    /// Python's `error.absolute_schema_path`: the keywords and their keys walked to the
    /// failing keyword (`$ref` and `if` leave no step; `then` and `else` do).
    pub(crate) schema_path: Vec<Step>,
    /// Length of the enclosing `anyOf`/`oneOf` error's path: Python's `error.path` of a
    /// context error is relative to it.
    pub(crate) base: usize,
    /// `error.validator`: the keyword (`falseSchema` for a `false` schema).
    pub(crate) keyword: String,
    pub(crate) message: String,
    /// Python's `error._matches_type()`.
    pub(crate) matches_type: bool,
    pub(crate) context: Vec<PyError>,
}

/// Why validation stopped without a verdict of valid or invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A reference leads nowhere: `referencing.exceptions.Unresolvable`, with its message.
    Unresolvable(String),
    /// Python's `RecursionError`.
    Recursion,
    /// Python fails with another exception (the server answers 500).
    Crash(String),
    /// A pattern no engine here can run; only the server can judge it.
    Pattern(String),
}

/// Schema nesting beyond this is Python's `RecursionError` (its limit of 1,000 frames is
/// reached at about this depth of schema objects). A reference cycle that consumes no
/// input is caught long before, when a schema meets the same instance again.
const MAX_DEPTH: usize = 300;

/// Every error Python's `iter_errors` yields for `instance` against `schema`, in its order.
pub(crate) fn iter_errors(schema: &Value, instance: &Value) -> Result<Vec<PyError>, Stop> {
    // Python's validators resolve the specifications' own documents too.
    let registry = Registry::new(schema, Some(meta_registry()));
    Walk::new(&registry, schema, false).run(schema, instance, false)
}

/// Python's `check_schema`: the first error of the schema against the Draft 2020-12
/// meta-schema (with the `regex` format asserted), as a message.
pub(crate) fn check_schema(schema: &Value) -> Result<(), Stop> {
    let Some((_, meta)) = meta_documents().first() else {
        return Err(Stop::Crash(
            "the Draft 2020-12 meta-schema is missing".into(),
        ));
    };
    let errors = Walk::new(meta_registry(), meta, true).run(meta, schema, true)?;
    match errors.first() {
        None => Ok(()),
        Some(error) => Err(Stop::Crash(format!(
            "the stored schema is not a valid Draft 2020-12 schema: {}",
            error.message
        ))),
    }
}

/// The meta-schema documents, indexed once.
fn meta_registry() -> &'static Registry<'static> {
    static REGISTRY: OnceLock<Registry<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        static NONE: Value = Value::Null;
        let documents = meta_documents();
        let root = documents.first().map_or(&NONE, |(_, document)| document);
        let mut registry = Registry::new(root, None);
        for (id, document) in documents {
            registry.add(id, document);
        }
        registry
    })
}

/// The Draft 2020-12 meta-schema and its vocabularies, by `$id`, the meta-schema first.
fn meta_documents() -> &'static [(String, Value)] {
    static DOCUMENTS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        [
            include_str!("metaschema/schema.json"),
            include_str!("metaschema/core.json"),
            include_str!("metaschema/applicator.json"),
            include_str!("metaschema/unevaluated.json"),
            include_str!("metaschema/validation.json"),
            include_str!("metaschema/meta-data.json"),
            include_str!("metaschema/format-annotation.json"),
            include_str!("metaschema/content.json"),
        ]
        .iter()
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .map(|document| {
            let id = document
                .get("$id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (id, document)
        })
        .collect()
    })
}

/// One run of the validator: where it is in the instance and in the dynamic scope.
struct Walk<'r, 'a> {
    registry: &'r Registry<'a>,
    /// Assert `format: regex` (only the meta-schema check does).
    regex_format: bool,
    path: Vec<Step>,
    /// The schema path walked to the keyword being applied.
    schema_path: Vec<Step>,
    /// Base URIs of the schema resources entered, outermost first.
    scope: Vec<String>,
    /// (schema, instance, stops at the first error) being validated, by address: meeting
    /// one again means Python would recurse forever. (A schema re-entered in the other mode
    /// may end: a validation that stops at its first error can stop before the cycle.)
    active: Vec<(usize, usize, bool)>,
    /// Where each `$ref` (by the address of its string) led: a reference's target depends
    /// only on where it stands in the document.
    resolved: HashMap<usize, Resolved<'a>>,
    depth: usize,
}

type Out = Result<(), Stop>;

/// A keyword being applied: its name and value, the schema object holding it, the instance,
/// the base URI, and whether to stop at the first error.
#[derive(Clone, Copy)]
struct At<'s, 'i> {
    keyword: &'s str,
    value: &'s Value,
    schema: &'s Map<String, Value>,
    instance: &'i Value,
    base: &'s str,
    first: bool,
}

impl<'r, 'a> Walk<'r, 'a> {
    fn new(registry: &'r Registry<'a>, root: &Value, regex_format: bool) -> Self {
        Walk {
            registry,
            regex_format,
            path: Vec::new(),
            schema_path: Vec::new(),
            scope: vec![Registry::base_of("", root).into_owned()],
            active: Vec::new(),
            resolved: HashMap::new(),
            depth: 0,
        }
    }

    fn run(&mut self, schema: &Value, instance: &Value, first: bool) -> Result<Vec<PyError>, Stop> {
        let mut errors = Vec::new();
        let base = self.scope[0].clone();
        self.descend(schema, instance, &base, &mut errors, first)?;
        Ok(errors)
    }

    /// Python's `descend`: every keyword of `schema` in order. With `first`, stops at the
    /// first error, as Python's lazy `is_valid` does.
    fn descend<'s>(
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
    fn is_valid<'s>(
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
    fn fail(&self, at: &At<'_, '_>, errors: &mut Vec<PyError>, message: String) {
        errors.push(self.error(at.keyword, message, at.schema, at.instance));
    }

    fn error(
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

    fn lookup(&self, base: &str, reference: &str) -> Result<Resolved<'a>, Stop> {
        self.registry
            .lookup(base, reference, &self.scope)
            .map_err(Stop::Unresolvable)
    }

    /// Descends into `schema` for `instance`, one `step` below the current instance when
    /// given, and one `schema_step` below the keyword on the schema path when given (the
    /// property, pattern or position of the subschema). `true` when the walk must stop: it
    /// looks for one error and has found it.
    fn child<'s>(
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
    fn keyword<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
                for message in assertion(at, self.regex_format)? {
                    self.fail(at, errors, message);
                }
                Ok(())
            }
        }
    }

    /// `$ref` and `$dynamicRef`.
    fn reference<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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

    /// `properties`, `patternProperties` and `additionalProperties`.
    fn properties<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let Value::Object(object) = at.instance else {
            return Ok(());
        };
        match (at.keyword, at.value) {
            ("properties", Value::Object(properties)) => {
                for (name, subschema) in properties {
                    if let Some(item) = object.get(name) {
                        let steps = (Some(Step::Key(name.clone())), Some(Step::Key(name.clone())));
                        if self.child(at, steps, subschema, item, errors)? {
                            break;
                        }
                    }
                }
            }
            ("patternProperties", Value::Object(patterns)) => {
                'patterns: for (regex, subschema) in patterns {
                    for (name, item) in object {
                        if search(regex, name)?
                            && self.child(
                                at,
                                (
                                    Some(Step::Key(name.clone())),
                                    Some(Step::Key(regex.clone())),
                                ),
                                subschema,
                                item,
                                errors,
                            )?
                        {
                            break 'patterns;
                        }
                    }
                }
            }
            ("additionalProperties", Value::Object(_)) => {
                for name in additional_properties(object, at.schema)? {
                    if let Some(item) = object.get(name) {
                        if self.child(
                            at,
                            (Some(Step::Key(name.to_owned())), None),
                            at.value,
                            item,
                            errors,
                        )? {
                            break;
                        }
                    }
                }
            }
            ("additionalProperties", Value::Bool(false)) => {
                let mut extras = additional_properties(object, at.schema)?;
                if extras.is_empty() {
                    return Ok(());
                }
                extras.sort_unstable();
                let joined = join_reprs(extras.iter().map(|e| Value::String((*e).to_owned())));
                let message = match at.schema.get("patternProperties") {
                    Some(Value::Object(patterns)) => {
                        let verb = if extras.len() == 1 { "does" } else { "do" };
                        let mut names: Vec<&String> = patterns.keys().collect();
                        names.sort_unstable();
                        let patterns =
                            join_reprs(names.into_iter().map(|n| Value::String(n.clone())));
                        format!("{joined} {verb} not match any of the regexes: {patterns}")
                    }
                    _ => {
                        let verb = if extras.len() == 1 { "was" } else { "were" };
                        format!(
                            "Additional properties are not allowed ({joined} {verb} unexpected)"
                        )
                    }
                };
                self.fail(at, errors, message);
            }
            _ => {}
        }
        Ok(())
    }

    /// `propertyNames`: each key, as a string instance at the object's own path.
    fn property_names<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        if let Value::Object(object) = at.instance {
            for name in object.keys() {
                if self.child(
                    at,
                    (None, None),
                    at.value,
                    &Value::String(name.clone()),
                    errors,
                )? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// `allOf`, and `dependentSchemas` for the keys present: subschemas applied to the same
    /// instance, each in turn.
    fn same_instance<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        // Each with its step on the schema path: its position, or its property.
        let subschemas: Vec<(Step, &'s Value)> = match (at.value, at.instance) {
            (Value::Array(all), _) if at.keyword == "allOf" => all
                .iter()
                .enumerate()
                .map(|(index, subschema)| (Step::Index(index), subschema))
                .collect(),
            (Value::Object(dependencies), Value::Object(object))
                if at.keyword == "dependentSchemas" =>
            {
                dependencies
                    .iter()
                    .filter(|(name, _)| object.contains_key(*name))
                    .map(|(name, subschema)| (Step::Key(name.clone()), subschema))
                    .collect()
            }
            _ => Vec::new(),
        };
        for (schema_step, subschema) in subschemas {
            if self.child(
                at,
                (None, Some(schema_step)),
                subschema,
                at.instance,
                errors,
            )? {
                break;
            }
        }
        Ok(())
    }

    /// `prefixItems`, and `items` for the items after them.
    fn items<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let Value::Array(items) = at.instance else {
            return Ok(());
        };
        if let ("prefixItems", Value::Array(subschemas)) = (at.keyword, at.value) {
            for (index, (item, subschema)) in items.iter().zip(subschemas).enumerate() {
                let steps = (Some(Step::Index(index)), Some(Step::Index(index)));
                if self.child(at, steps, subschema, item, errors)? {
                    break;
                }
            }
            return Ok(());
        }
        let prefix = at
            .schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if items.len() <= prefix {
            return Ok(());
        }
        if at.value == &Value::Bool(false) {
            let extra = items.len() - prefix;
            let rest = if extra == 1 {
                repr(&items[prefix])
            } else {
                repr(&Value::Array(items[prefix..].to_vec()))
            };
            let noun = if prefix == 1 { "item" } else { "items" };
            let message =
                format!("Expected at most {prefix} {noun} but found {extra} extra: {rest}");
            self.fail(at, errors, message);
            return Ok(());
        }
        for (index, item) in items.iter().enumerate().skip(prefix) {
            if self.child(at, (Some(Step::Index(index)), None), at.value, item, errors)? {
                break;
            }
        }
        Ok(())
    }

    /// `contains`, with `minContains` and `maxContains`.
    fn contains<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let Value::Array(items) = at.instance else {
            return Ok(());
        };
        let min = at
            .schema
            .get("minContains")
            .cloned()
            .unwrap_or(Value::from(1));
        let max = at
            .schema
            .get("maxContains")
            .cloned()
            .unwrap_or(Value::from(items.len()));
        let mut matches = 0usize;
        for item in items {
            if self.is_valid(at.value, item, at.base)? {
                matches += 1;
                if max.as_f64().is_some_and(|max| matches as f64 > max) {
                    let message = format!(
                        "Too many items match the given schema (expected at most {})",
                        repr(&max)
                    );
                    errors.push(self.error("maxContains", message, at.schema, at.instance));
                    return Ok(());
                }
            }
        }
        if min.as_f64().is_some_and(|min| (matches as f64) < min) {
            if matches == 0 {
                let message = format!(
                    "{} does not contain items matching the given schema",
                    repr(at.instance)
                );
                self.fail(at, errors, message);
            } else {
                let message = format!(
                    "Too few items match the given schema (expected at least {} but only {matches} matched)",
                    repr(&min)
                );
                errors.push(self.error("minContains", message, at.schema, at.instance));
            }
        }
        Ok(())
    }

    /// `anyOf` and `oneOf`: the failures of every branch tried become the error's context.
    fn any_or_one_of<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let branches = at.value.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut context = Vec::new();
        let mut first_valid = None;
        for (index, subschema) in branches.iter().enumerate() {
            let mut found = Vec::new();
            self.schema_path.push(Step::Index(index));
            self.descend(subschema, at.instance, at.base, &mut found, false)?;
            self.schema_path.pop();
            if found.is_empty() {
                first_valid = Some(index);
                break;
            }
            context.extend(found);
        }
        let inst = repr(at.instance);
        match first_valid {
            None => {
                for error in &mut context {
                    error.base = self.path.len();
                }
                let message = format!("{inst} is not valid under any of the given schemas");
                let mut error = self.error(at.keyword, message, at.schema, at.instance);
                error.context = context;
                errors.push(error);
            }
            Some(index) if at.keyword == "oneOf" => {
                let mut valid = Vec::new();
                for subschema in &branches[index + 1..] {
                    if self.is_valid(subschema, at.instance, at.base)? {
                        valid.push(subschema);
                    }
                }
                if !valid.is_empty() {
                    valid.push(&branches[index]);
                    let reprs = join_reprs(valid.into_iter().cloned());
                    self.fail(at, errors, format!("{inst} is valid under each of {reprs}"));
                }
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// `not`, and `if` with its `then` or `else`.
    fn not_or_if<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let valid = self.is_valid(at.value, at.instance, at.base)?;
        if at.keyword == "not" {
            if valid {
                let message = format!(
                    "{} should not be valid under {}",
                    repr(at.instance),
                    repr(at.value)
                );
                self.fail(at, errors, message);
            }
            return Ok(());
        }
        let name = if valid { "then" } else { "else" };
        if let Some(branch) = at.schema.get(name) {
            let steps = (None, Some(Step::Key(name.to_owned())));
            self.child(at, steps, branch, at.instance, errors)?;
        }
        Ok(())
    }

    /// `unevaluatedItems` and `unevaluatedProperties`.
    fn unevaluated<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let message = match at.instance {
            Value::Array(items) if at.keyword == "unevaluatedItems" => {
                let evaluated = self.evaluated_indexes(at.schema, at.instance, at.base)?;
                let rest: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| !evaluated.contains(index))
                    .map(|(_, item)| item.clone())
                    .collect();
                if rest.is_empty() {
                    return Ok(());
                }
                let verb = if rest.len() == 1 { "was" } else { "were" };
                let joined = join_reprs(rest.into_iter());
                format!("Unevaluated items are not allowed ({joined} {verb} unexpected)")
            }
            Value::Object(object) if at.keyword == "unevaluatedProperties" => {
                let evaluated = self.evaluated_keys(at.schema, at.instance, at.base)?;
                // Python lists a key once for each error its value has.
                let mut unevaluated = Vec::new();
                for (name, item) in object {
                    if evaluated.contains(name.as_str()) {
                        continue;
                    }
                    let mut found = Vec::new();
                    self.path.push(Step::Key(name.clone()));
                    self.descend(at.value, item, at.base, &mut found, false)?;
                    self.path.pop();
                    unevaluated.extend(found.iter().map(|_| Value::String(name.clone())));
                }
                if unevaluated.is_empty() {
                    return Ok(());
                }
                let verb = if unevaluated.len() == 1 {
                    "was"
                } else {
                    "were"
                };
                if at.value == &Value::Bool(false) {
                    unevaluated.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    let joined = join_reprs(unevaluated.into_iter());
                    format!("Unevaluated properties are not allowed ({joined} {verb} unexpected)")
                } else {
                    let joined = join_reprs(unevaluated.into_iter());
                    format!(
                        "Unevaluated properties are not valid under the given schema ({joined} {verb} unevaluated and invalid)"
                    )
                }
            }
            _ => return Ok(()),
        };
        self.fail(at, errors, message);
        Ok(())
    }

    /// Follows a `$ref`/`$dynamicRef` of `map` for the `unevaluated*` searches, as Python
    /// does.
    fn referenced(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        base: &str,
    ) -> Result<Option<Resolved<'a>>, Stop> {
        match map.get(key) {
            Some(Value::String(reference)) => self.lookup(base, reference).map(Some),
            _ => Ok(None),
        }
    }

    /// Python's `find_evaluated_item_indexes_by_schema`.
    fn evaluated_indexes<'s>(
        &mut self,
        map: &'s Map<String, Value>,
        instance: &Value,
        base: &str,
    ) -> Result<Vec<usize>, Stop>
    where
        'a: 's,
    {
        let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
        if map.contains_key("items") {
            return Ok((0..items.len()).collect());
        }
        self.enter_search()?;
        let mut evaluated = Vec::new();
        for key in ["$ref", "$dynamicRef"] {
            if let Some(Resolved {
                schema: Value::Object(target),
                base,
            }) = self.referenced(map, key, base)?
            {
                evaluated.extend(self.evaluated_indexes(target, instance, &base)?);
            }
        }
        if let Some(Value::Array(prefix)) = map.get("prefixItems") {
            evaluated.extend(0..prefix.len());
        }
        for branch in self.if_branches(map, instance, base)? {
            evaluated.extend(self.evaluated_indexes(branch, instance, base)?);
        }
        for key in ["contains", "unevaluatedItems"] {
            if let Some(subschema) = map.get(key) {
                for (index, item) in items.iter().enumerate() {
                    if self.is_valid(subschema, item, base)? {
                        evaluated.push(index);
                    }
                }
            }
        }
        for branch in self.valid_branches(map, instance, base)? {
            evaluated.extend(self.evaluated_indexes(branch, instance, base)?);
        }
        self.depth -= 1;
        Ok(evaluated)
    }

    /// Python's `find_evaluated_property_keys_by_schema`.
    fn evaluated_keys<'s>(
        &mut self,
        map: &'s Map<String, Value>,
        instance: &Value,
        base: &str,
    ) -> Result<HashSet<String>, Stop>
    where
        'a: 's,
    {
        let Value::Object(object) = instance else {
            return Ok(HashSet::new());
        };
        self.enter_search()?;
        let mut evaluated = HashSet::new();
        for key in ["$ref", "$dynamicRef"] {
            if let Some(Resolved {
                schema: Value::Object(target),
                base,
            }) = self.referenced(map, key, base)?
            {
                evaluated.extend(self.evaluated_keys(target, instance, &base)?);
            }
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            evaluated.extend(
                properties
                    .keys()
                    .filter(|k| object.contains_key(*k))
                    .cloned(),
            );
        }
        for key in ["additionalProperties", "unevaluatedProperties"] {
            if let Some(subschema) = map.get(key) {
                for (name, item) in object {
                    if self.is_valid(subschema, item, base)? {
                        evaluated.insert(name.clone());
                    }
                }
            }
        }
        if let Some(Value::Object(patterns)) = map.get("patternProperties") {
            for name in object.keys() {
                for regex in patterns.keys() {
                    if search(regex, name)? {
                        evaluated.insert(name.clone());
                    }
                }
            }
        }
        if let Some(Value::Object(dependencies)) = map.get("dependentSchemas") {
            for (name, subschema) in dependencies {
                if let (true, Value::Object(subschema)) = (object.contains_key(name), subschema) {
                    evaluated.extend(self.evaluated_keys(subschema, instance, base)?);
                }
            }
        }
        for branch in self.valid_branches(map, instance, base)? {
            evaluated.extend(self.evaluated_keys(branch, instance, base)?);
        }
        for branch in self.if_branches(map, instance, base)? {
            evaluated.extend(self.evaluated_keys(branch, instance, base)?);
        }
        self.depth -= 1;
        Ok(evaluated)
    }

    /// One level deeper in an `unevaluated*` search, which follows references on its own:
    /// a cycle there is Python's `RecursionError` too.
    fn enter_search(&mut self) -> Out {
        if self.depth >= MAX_DEPTH {
            return Err(Stop::Recursion);
        }
        self.depth += 1;
        Ok(())
    }

    /// The `allOf`/`oneOf`/`anyOf` subschemas of `map` that `instance` is valid under.
    fn valid_branches<'s>(
        &mut self,
        map: &'s Map<String, Value>,
        instance: &Value,
        base: &str,
    ) -> Result<Vec<&'s Map<String, Value>>, Stop>
    where
        'a: 's,
    {
        let mut valid = Vec::new();
        for key in ["allOf", "oneOf", "anyOf"] {
            for subschema in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                if let (true, Value::Object(branch)) =
                    (self.is_valid(subschema, instance, base)?, subschema)
                {
                    valid.push(branch);
                }
            }
        }
        Ok(valid)
    }

    /// `if` and `then` when `instance` is valid under `if`, else `else`.
    fn if_branches<'s>(
        &mut self,
        map: &'s Map<String, Value>,
        instance: &Value,
        base: &str,
    ) -> Result<Vec<&'s Map<String, Value>>, Stop>
    where
        'a: 's,
    {
        let Some(condition) = map.get("if") else {
            return Ok(Vec::new());
        };
        let branches = if self.is_valid(condition, instance, base)? {
            vec![Some(condition), map.get("then")]
        } else {
            vec![map.get("else")]
        };
        Ok(branches
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .collect())
    }
}

/// The message of a keyword that applies no subschema, when it fails (Python's `type`,
/// `enum`, `const`, bounds, `multipleOf`, sizes, `uniqueItems`, `pattern`, `format`,
/// `required`, `dependentRequired`).
fn assertion(at: &At<'_, '_>, regex_format: bool) -> Result<Vec<String>, Stop> {
    let (value, instance) = (at.value, at.instance);
    let inst = || repr(instance);
    let message = match (at.keyword, instance) {
        ("type", _) => {
            let types: Vec<&Value> = match value {
                Value::Array(types) => types.iter().collect(),
                other => vec![other],
            };
            let matches = |ty: &&Value| ty.as_str().is_some_and(|ty| is_type(instance, ty));
            if types.iter().any(matches) {
                return Ok(Vec::new());
            }
            let reprs: Vec<String> = types.iter().map(|ty| repr(ty)).collect();
            format!("{} is not of type {}", inst(), reprs.join(", "))
        }
        ("enum", _) => match value {
            Value::Array(options) if !options.iter().any(|option| equal(option, instance)) => {
                format!("{} is not one of {}", inst(), repr(value))
            }
            _ => return Ok(Vec::new()),
        },
        ("const", _) if !equal(instance, value) => format!("{} was expected", repr(value)),
        ("minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum", Value::Number(n)) => {
            let Value::Number(limit) = value else {
                return Ok(Vec::new());
            };
            let Some(order) = cmp_num(n, limit) else {
                return Ok(Vec::new());
            };
            let (failed, words) = match at.keyword {
                "minimum" => (order == Ordering::Less, "is less than the minimum of"),
                "maximum" => (order == Ordering::Greater, "is greater than the maximum of"),
                "exclusiveMinimum" => (
                    order != Ordering::Greater,
                    "is less than or equal to the minimum of",
                ),
                _ => (
                    order != Ordering::Less,
                    "is greater than or equal to the maximum of",
                ),
            };
            if !failed {
                return Ok(Vec::new());
            }
            format!("{} {words} {}", inst(), number_repr(limit))
        }
        ("multipleOf", Value::Number(n)) => match value {
            Value::Number(divisor) if not_multiple(n, divisor)? => {
                format!("{} is not a multiple of {}", inst(), number_repr(divisor))
            }
            _ => return Ok(Vec::new()),
        },
        ("minItems" | "maxItems", Value::Array(items)) => {
            return Ok(sized(at, items.len(), "is too short", "is too long")
                .into_iter()
                .collect());
        }
        ("minLength" | "maxLength", Value::String(text)) => {
            let size = text.chars().count();
            return Ok(sized(at, size, "is too short", "is too long")
                .into_iter()
                .collect());
        }
        ("minProperties" | "maxProperties", Value::Object(object)) => {
            let says = ("does not have enough properties", "has too many properties");
            return Ok(sized(at, object.len(), says.0, says.1)
                .into_iter()
                .collect());
        }
        ("uniqueItems", Value::Array(items)) if value == &Value::Bool(true) => {
            let duplicate = items
                .iter()
                .enumerate()
                .any(|(i, a)| items[i + 1..].iter().any(|b| equal(a, b)));
            if !duplicate {
                return Ok(Vec::new());
            }
            format!("{} has non-unique elements", inst())
        }
        ("pattern", Value::String(text)) => match value {
            Value::String(regex) if !search(regex, text)? => {
                format!("{} does not match {}", inst(), repr(value))
            }
            _ => return Ok(Vec::new()),
        },
        ("format", Value::String(text)) if regex_format && value.as_str() == Some("regex") => {
            pattern::compiles(text).map_err(|why| {
                Stop::Pattern(format!("{} cannot be compiled here ({why})", inst()))
            })?;
            return Ok(Vec::new());
        }
        ("required", Value::Object(object)) => {
            let names = value.as_array().map(Vec::as_slice).unwrap_or_default();
            return Ok(names
                .iter()
                .filter(|name| name.as_str().is_some_and(|name| !object.contains_key(name)))
                .map(|name| format!("{} is a required property", repr(name)))
                .collect());
        }
        ("dependentRequired", Value::Object(object)) => {
            let dependencies = value.as_object().into_iter().flatten();
            return Ok(dependencies
                .filter(|(name, _)| object.contains_key(*name))
                .flat_map(|(name, needed)| {
                    needed
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(move |each| (name, each))
                })
                .filter(|(_, each)| each.as_str().is_some_and(|each| !object.contains_key(each)))
                .map(|(name, each)| {
                    format!(
                        "{} is a dependency of {}",
                        repr(each),
                        repr(&Value::String(name.clone()))
                    )
                })
                .collect());
        }
        _ => return Ok(Vec::new()),
    };
    Ok(vec![message])
}

/// The message of a failed `min*`/`max*` size keyword, or `None` when the size fits.
fn sized(at: &At<'_, '_>, size: usize, too_few: &str, too_many: &str) -> Option<String> {
    let limit = at.value.as_f64()?;
    let size = size as f64;
    let says = if at.keyword.starts_with("min") {
        if size >= limit {
            return None;
        }
        if limit == 1.0 {
            "should be non-empty"
        } else {
            too_few
        }
    } else {
        if size <= limit {
            return None;
        }
        if limit == 0.0 {
            "is expected to be empty"
        } else {
            too_many
        }
    };
    Some(format!("{} {says}", repr(at.instance)))
}

/// Python's `re.search`, or why it cannot be run here.
fn search(regex: &str, text: &str) -> Result<bool, Stop> {
    pattern::search(regex, text).map_err(|why| {
        Stop::Pattern(format!(
            "{} cannot be run here ({why})",
            repr(&Value::String(regex.to_owned()))
        ))
    })
}

/// `find_additional_properties`: keys neither in `properties` nor matching any of the
/// `patternProperties` (Python joins them with `|`), in the instance's order.
fn additional_properties<'i>(
    object: &'i Map<String, Value>,
    schema: &Map<String, Value>,
) -> Result<Vec<&'i str>, Stop> {
    let properties = schema.get("properties").and_then(Value::as_object);
    let patterns = schema
        .get("patternProperties")
        .and_then(Value::as_object)
        .map(|patterns| patterns.keys().cloned().collect::<Vec<_>>().join("|"))
        .unwrap_or_default();
    let mut extras = Vec::new();
    for name in object.keys() {
        if properties.is_some_and(|properties| properties.contains_key(name)) {
            continue;
        }
        if !patterns.is_empty() && search(&patterns, name)? {
            continue;
        }
        extras.push(name.as_str());
    }
    Ok(extras)
}

/// `", ".join(repr(each) for each in values)`.
fn join_reprs(values: impl Iterator<Item = Value>) -> String {
    values
        .map(|value| repr(&value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Python's `error._matches_type()`: the instance has (one of) the schema's declared types.
fn matches_type(schema: &Map<String, Value>, instance: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(ty)) => is_type(instance, ty),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|ty| is_type(instance, ty)),
        _ => false,
    }
}

/// Draft 2020-12's type checker (a float with no fraction is an integer; booleans are not
/// numbers).
fn is_type(instance: &Value, ty: &str) -> bool {
    match ty {
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "string" => instance.is_string(),
        "array" => instance.is_array(),
        "object" => instance.is_object(),
        "number" => instance.is_number(),
        "integer" => match instance {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

/// A JSON number as Python holds it.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

fn num(n: &Number) -> Num {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Num::Int(i.into()),
        (None, Some(u)) => Num::Int(u.into()),
        _ => Num::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Python's exact comparison of ints and floats.
fn cmp_num(a: &Number, b: &Number) -> Option<Ordering> {
    fn int_float(i: i128, f: f64) -> Option<Ordering> {
        if f.is_nan() {
            return None;
        }
        if f >= 2f64.powi(126) {
            return Some(Ordering::Less);
        }
        if f < -(2f64.powi(126)) {
            return Some(Ordering::Greater);
        }
        let floor = f.floor();
        Some(match i.cmp(&(floor as i128)) {
            Ordering::Equal if f > floor => Ordering::Less,
            order => order,
        })
    }
    match (num(a), num(b)) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => int_float(x, y),
        (Num::Float(x), Num::Int(y)) => int_float(y, x).map(Ordering::reverse),
    }
}

/// Python's `multipleOf` test: float division when the divisor is a float, else `%`.
fn not_multiple(n: &Number, divisor: &Number) -> Result<bool, Stop> {
    Ok(match (num(n), num(divisor)) {
        (Num::Int(x), Num::Int(d)) if d != 0 => x % d != 0,
        (Num::Float(x), Num::Int(d)) if d != 0 => x % d as f64 != 0.0,
        (_, Num::Int(_)) => return Err(Stop::Crash("multipleOf is 0".into())),
        (x, Num::Float(d)) => {
            let x = match x {
                Num::Int(i) => i as f64,
                Num::Float(f) => f,
            };
            let quotient = x / d;
            if quotient.is_nan() {
                return Err(Stop::Crash("multipleOf divides to NaN".into()));
            }
            if quotient.is_infinite() {
                x % d != 0.0
            } else {
                quotient.trunc() != quotient
            }
        }
    })
}

/// Python `jsonschema`'s `equal`: `1 == 1.0`, but `True != 1`; strings, lists and dicts by
/// content.
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equal(x, y)))
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => cmp_num(x, y) == Some(Ordering::Equal),
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! Run natively and in headless Chromium. Messages and ranking are compared with
    //! Python's on thousands of cases by the differential test; these pin what it cannot
    //! generate: recursion, and depth the browser's stack must survive.
    use super::*;
    use serde_json::json;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// A pydantic-style recursive model: `Node(value: int, next: Optional[Node])`.
    fn linked_list() -> Value {
        json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}
                },
                "required": ["value"]
            }}
        })
    }

    fn nested(depth: usize, last: Value) -> Value {
        let mut node = json!({"value": depth, "next": last});
        for level in (0..depth).rev() {
            node = json!({"value": level, "next": node});
        }
        node
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn deep_recursive_input_is_validated_without_exhausting_the_stack() {
        let schema = linked_list();
        // serde_json reads at most 128 levels of nesting, so input is never deeper.
        assert!(matches!(iter_errors(&schema, &nested(64, Value::Null)), Ok(e) if e.is_empty()));
        let errors = iter_errors(&schema, &nested(64, json!("end"))).expect("no stop");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, [Step::Key("next".into())]);
        // Each level's `anyOf` holds the next level's failure as context, down to the end.
        let mut deepest = &errors[0];
        while let Some(inner) = deepest.context.first() {
            deepest = inner;
        }
        assert_eq!(deepest.path.len(), 65);
        assert_eq!(deepest.message, "'end' is not of type 'object'");
        // Deeper than Python's recursion limit allows (input built in code, not parsed).
        assert_eq!(
            iter_errors(&schema, &nested(200, Value::Null)).err(),
            Some(Stop::Recursion)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_reference_cycle_that_consumes_no_input_is_pythons_recursion_error() {
        let cycle = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                           "properties": {"x": {"$ref": "#/$defs/a"}}});
        assert_eq!(
            iter_errors(&cycle, &json!({"x": 1})).err(),
            Some(Stop::Recursion)
        );
        // Python follows references lazily: an input that never reaches the cycle passes.
        assert!(matches!(iter_errors(&cycle, &json!({"y": 1})), Ok(e) if e.is_empty()));
        assert_eq!(
            iter_errors(&json!({"$ref": "#"}), &json!(1)).err(),
            Some(Stop::Recursion)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn references_resolve_by_id_anchor_and_escaped_pointer() {
        let schema = json!({
            "$defs": {
                "t": {"$id": "https://example.com/t", "$defs": {"s": {"type": "string"}},
                      "properties": {"s": {"$ref": "#/$defs/s"}}},
                "n": {"$anchor": "num", "type": "number"}
            },
            "properties": {
                "a": {"$ref": "https://example.com/t"},
                "b": {"$ref": "#num"},
                "c": {"$ref": "#/%24defs/t/%24defs/s"},
                "d": {"$ref": "#/$defs/missing"}
            }
        });
        let messages = |instance: Value| {
            iter_errors(&schema, &instance)
                .map(|errors| errors.into_iter().map(|e| e.message).collect::<Vec<_>>())
        };
        assert_eq!(
            messages(json!({"a": {"s": 1}, "b": "x", "c": 2})),
            Ok(vec![
                "1 is not of type 'string'".to_owned(),
                "'x' is not of type 'number'".to_owned(),
                "2 is not of type 'string'".to_owned()
            ])
        );
        assert!(matches!(
            messages(json!({"d": 1})),
            Err(Stop::Unresolvable(m)) if m.starts_with("PointerToNowhere: '/$defs/missing' does not exist within {")
        ));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_meta_schema_check_catches_what_python_check_schema_does() {
        assert_eq!(
            check_schema(&json!({"type": "object", "properties": {"a": {"minimum": 1}}})),
            Ok(())
        );
        for bad in [
            json!({"type": "strin"}),
            json!({"properties": {"a": {"minLength": -1}}}),
            json!({"required": "a"}),
            json!({"$defs": {"x": {"enum": 3}}}),
            json!({"items": {"multipleOf": 0}}),
        ] {
            assert!(
                matches!(check_schema(&bad), Err(Stop::Crash(_))),
                "{bad} passed"
            );
        }
        // An unbalanced pattern fails Python's `format: regex`; here it cannot be judged.
        assert!(matches!(
            check_schema(&json!({"pattern": "(a"})),
            Err(Stop::Pattern(_))
        ));
    }
}
