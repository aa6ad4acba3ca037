//! `unevaluatedItems` and `unevaluatedProperties`: which items and keys the schema's other
//! keywords evaluated, found as Python `jsonschema` finds them (following references,
//! applicators and valid branches).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::super::registry::Resolved;
use super::assertions::{join_reprs, search};
use super::{At, MAX_DEPTH, Out, PyError, Step, Stop, Walk};

impl<'a> Walk<'_, 'a> {
    /// `unevaluatedItems` and `unevaluatedProperties`.
    pub(super) fn unevaluated<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn referenced(
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
    pub(super) fn evaluated_indexes<'s>(
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
    pub(super) fn evaluated_keys<'s>(
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
                    if search(regex, name, self.searches)? {
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
    pub(super) fn enter_search(&mut self) -> Out {
        if self.depth >= MAX_DEPTH {
            return Err(Stop::Recursion);
        }
        self.depth += 1;
        Ok(())
    }

    /// The `allOf`/`oneOf`/`anyOf` subschemas of `map` that `instance` is valid under.
    pub(super) fn valid_branches<'s>(
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
    pub(super) fn if_branches<'s>(
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
