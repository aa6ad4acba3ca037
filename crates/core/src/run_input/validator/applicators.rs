//! The keywords that apply subschemas to the instance or its parts: `properties`,
//! `patternProperties`, `additionalProperties`, `propertyNames`, `dependentSchemas`, `allOf`,
//! `items`, `prefixItems`, `contains`, `anyOf`, `oneOf`, `not` and `if`/`then`/`else`.

use serde_json::Value;

use super::super::python_repr::repr;
use super::assertions::{additional_properties, join_reprs, search};
use super::{At, Out, PyError, Step, Walk};

impl<'a> Walk<'_, 'a> {
    /// `properties`, `patternProperties` and `additionalProperties`.
    pub(super) fn properties<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
                        if search(regex, name, self.searches)?
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
                for name in additional_properties(object, at.schema, self.searches)? {
                    if let Some(item) = object.get(name)
                        && self.child(
                            at,
                            (Some(Step::Key(name.to_owned())), None),
                            at.value,
                            item,
                            errors,
                        )?
                    {
                        break;
                    }
                }
            }
            ("additionalProperties", Value::Bool(false)) => {
                let mut extras = additional_properties(object, at.schema, self.searches)?;
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
    pub(super) fn property_names<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn same_instance<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn items<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn contains<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn any_or_one_of<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
    pub(super) fn not_or_if<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
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
}
