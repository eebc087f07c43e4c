//! The OpenAPI document as the contract of what the API accepts: every JSON body is
//! checked against its operation's request schema before it is read, so a body the
//! document refuses (a wrong type, a missing required field, a value out of range, an
//! unknown enum word) is refused here with 422, and a client generated from the document
//! validates exactly what the server does. The domain's own rules (a year's dates in
//! order, a teacher of the right school, a unique code) come after and stay where they are.
use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::error::{FieldErrors, Msg};
use crate::web::api::openapi;

/// A request body's validator, and each top-level field's numeric bounds (for messages
/// that give the whole range).
struct BodyCheck {
    validator: Validator,
    bounds: HashMap<String, (Option<f64>, Option<f64>)>,
}

/// The top-level properties' (minimum, maximum) of a schema, through `$ref`s, `allOf` and
/// nullable `oneOf`s.
fn bounds_of(
    schema: &Value,
    components: &Value,
    out: &mut HashMap<String, (Option<f64>, Option<f64>)>,
) {
    let resolve = |v: &Value| -> Value {
        match v["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(name) => components["schemas"][name].clone(),
            None => v.clone(),
        }
    };
    let schema = resolve(schema);
    for part in schema["allOf"].as_array().into_iter().flatten() {
        bounds_of(part, components, out);
    }
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let prop = resolve(prop);
        let min = prop["minimum"].as_f64();
        let max = prop["maximum"].as_f64();
        if min.is_some() || max.is_some() {
            out.insert(name.clone(), (min, max));
        }
    }
}

/// Validators of the request bodies, by (method, OpenAPI path), built once.
fn validators() -> &'static HashMap<(String, String), BodyCheck> {
    static VALIDATORS: OnceLock<HashMap<(String, String), BodyCheck>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let doc: Value = serde_json::from_str(openapi::document_json()).unwrap_or_default();
        let components = doc["components"].clone();
        let mut out = HashMap::new();
        let Some(paths) = doc["paths"].as_object() else {
            return out;
        };
        for (path, item) in paths {
            let Some(ops) = item.as_object() else {
                continue;
            };
            for (method, op) in ops {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                if schema.is_null() {
                    continue;
                }
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "allOf": [schema],
                    "components": components,
                });
                match jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&root)
                {
                    Ok(validator) => {
                        let mut bounds = HashMap::new();
                        bounds_of(schema, &components, &mut bounds);
                        out.insert(
                            (method.to_uppercase(), path.clone()),
                            BodyCheck { validator, bounds },
                        );
                    }
                    Err(e) => {
                        tracing::error!(%path, %method, "request schema does not compile: {e}")
                    }
                }
            }
        }
        out
    })
}

/// The OpenAPI path of a mounted route (`/api/v1/schools/<id>` → `/api/v1/schools/{id}`).
pub fn openapi_path(route_path: &str) -> String {
    route_path
        .split('/')
        .map(
            |s| match s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                None => s.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Whole numbers written with a fraction (`1.0`) as integers: JSON Schema counts them as
/// integers, so they are read as integers everywhere rather than refused by some readers.
pub fn normalise_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= 9_007_199_254_740_991.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_numbers),
        Value::Object(map) => map.values_mut().for_each(normalise_numbers),
        _ => {}
    }
}

/// Checks a request body against the schema of the operation at (`method`, `route_path`);
/// every violation becomes a field error (the top-level property it is in, or `body`).
pub fn check_body(method: &str, route_path: &str, body: &Value) -> Result<(), FieldErrors> {
    let Some(check) = validators().get(&(method.to_string(), openapi_path(route_path))) else {
        return Ok(());
    };
    let mut errors = FieldErrors::new();
    for error in check.validator.iter_errors(body) {
        let pointer = error.instance_path().to_string();
        let field = pointer
            .trim_start_matches('/')
            .split('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"));
        let field = match (&field, error.kind()) {
            // A missing property is named by the error, not by where it points.
            (None, jsonschema::error::ValidationErrorKind::Required { property }) => {
                property.as_str().map(str::to_string)
            }
            _ => field,
        };
        let field = field.as_deref().unwrap_or("body");
        let msg = match (error.kind(), check.bounds.get(field)) {
            // Out of a range with both ends: say the range, as the pages do.
            (
                jsonschema::error::ValidationErrorKind::Minimum { .. }
                | jsonschema::error::ValidationErrorKind::Maximum { .. },
                Some((Some(min), Some(max))),
            ) => Msg::new("err-out-of-range")
                .arg("min", *min)
                .arg("max", *max),
            _ => message_of(field, &error, &pointer),
        };
        // One message per rule broken (an empty text breaks `minLength` and `pattern`).
        if !errors
            .get(field)
            .is_some_and(|ms| ms.iter().any(|m| m.key == msg.key))
        {
            errors.add(field, msg);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The patterns of the document (in the inputs' `#[schema(pattern = …)]`) with the
/// catalogue message that says what they want; a test checks none is missing.
const PATTERN_MESSAGES: &[(&str, &str)] = &[
    (r"^20[0-9]{2}-20[0-9]{2}$", "err-year-name"),
    (r"^[A-Za-z0-9]{4,20}$", "err-school-code"),
    (r"^[0-9 +()\-]*$", "err-phone"),
    (r"^[A-Za-z0-9\-_]+$", "err-staff-no"),
    (r"^(https?://\S+)?$", "obs-err-url"),
];

/// The words a person reads for a violation: the catalogue's message for the common kinds
/// (the same as the pages use), else the pointer and the validator's own words.
fn message_of(field: &str, error: &jsonschema::ValidationError<'_>, pointer: &str) -> Msg {
    use jsonschema::error::ValidationErrorKind as K;
    let number = |v: &Value| v.as_f64().map(|n| n.to_string()).unwrap_or_default();
    match error.kind() {
        // Where the pages have their own words for a field, the API says the same.
        K::MinItems { limit: 1 } if field == "support_kinds" => {
            Msg::new("err-pairing-kinds-required")
        }
        // A score that is neither a number nor a level's word.
        K::OneOfNotValid { .. } | K::AnyOf { .. } if field == "scores" => Msg::new("err-api-score"),
        K::MinLength { limit } if field == "password" => {
            Msg::new("err-password-short").arg("min", *limit)
        }
        K::Required { .. } => Msg::new("err-required"),
        // A required text (min 1, something besides spaces) left empty.
        K::MinLength { limit: 1 } => Msg::new("err-required"),
        K::Pattern { pattern } if pattern == r"\S" => Msg::new("err-required"),
        K::MinItems { limit: 1 } => Msg::new("err-required"),
        K::MinLength { limit } => Msg::new("err-too-short").arg("min", *limit),
        K::MaxLength { limit } => Msg::new("err-too-long").arg("max", *limit),
        K::Pattern { pattern } => match PATTERN_MESSAGES.iter().find(|(p, _)| p == pattern) {
            Some((_, key)) => Msg::new(*key),
            None => Msg::new("err-api-pattern").arg("pattern", pattern.as_str()),
        },
        K::MaxItems { limit } => Msg::new("err-too-many").arg("max", *limit),
        K::Enum { .. } => Msg::new("err-choose"),
        K::Format { format } if format == "email" => Msg::new("err-email"),
        K::Format { format } if format == "date" => Msg::new("err-date"),
        K::Minimum { limit } => Msg::new("err-api-minimum").arg("min", number(limit)),
        K::Maximum { limit } => Msg::new("err-api-maximum").arg("max", number(limit)),
        K::Type { kind } if type_words(kind).contains("integer") => Msg::new("err-not-a-number"),
        K::Type { kind } => Msg::new("err-api-type").arg("type", type_words(kind)),
        _ => {
            let detail: String = error.to_string().chars().take(200).collect();
            Msg::new("err-api-schema")
                .arg("pointer", if pointer.is_empty() { "/" } else { pointer })
                .arg("detail", detail)
        }
    }
}

/// The JSON type(s) expected, as the schema names them (`integer`, `string or null`).
fn type_words(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::error::TypeKind;
    match kind {
        TypeKind::Single(t) => t.to_string(),
        TypeKind::Multiple(ts) => ts
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" / "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_paths_become_openapi_paths() {
        assert_eq!(openapi_path("/api/v1/schools/<id>"), "/api/v1/schools/{id}");
        assert_eq!(openapi_path("/api/v1/schools"), "/api/v1/schools");
    }

    /// Every pattern in the document has its message.
    #[test]
    fn every_pattern_has_a_message() {
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(p)) = m.get("pattern") {
                        out.push(p.clone());
                    }
                    m.values().for_each(|v| walk(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let doc: Value = serde_json::from_str(openapi::document_json()).unwrap();
        let mut patterns = Vec::new();
        walk(&doc["components"], &mut patterns);
        walk(&doc["paths"], &mut patterns);
        patterns.sort();
        patterns.dedup();
        for p in patterns {
            assert!(
                p == r"\S" || PATTERN_MESSAGES.iter().any(|(q, _)| *q == p),
                "no message for {p}"
            );
        }
    }

    /// Every operation with a JSON request body has a validator that compiled (an upload's
    /// multipart fields are checked by the service, with the same limits).
    #[test]
    fn every_request_schema_compiles() {
        let doc: Value = serde_json::from_str(openapi::document_json()).unwrap();
        let mut bodies = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op["requestBody"]["content"]
                    .get("application/json")
                    .is_some()
                {
                    bodies += 1;
                    assert!(
                        validators().contains_key(&(method.to_uppercase(), path.clone())),
                        "{method} {path}"
                    );
                }
            }
        }
        assert!(bodies > 20, "{bodies}");
    }
}
