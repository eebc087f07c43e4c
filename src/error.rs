//! The one error type of the application. It knows nothing about HTTP; `web::respond`
//! turns it into an HTML page or the JSON error shape.
use std::collections::BTreeMap;

use sea_orm::DbErr;

/// A message for the user: a key of the Fluent catalogues plus its arguments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Msg {
    pub key: String,
    pub args: Vec<(String, String)>,
}

impl Msg {
    pub fn new(key: impl Into<String>) -> Self {
        Msg {
            key: key.into(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_string(), value.to_string()));
        self
    }
}

/// Errors per form or JSON field, in the order fields are declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<Msg>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_default().push(msg);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every error of `other` (the first message per field is shown first).
    pub fn absorb(&mut self, other: FieldErrors) {
        for (field, msgs) in other.0 {
            self.0.entry(field).or_default().extend(msgs);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Vec<Msg>> {
        self.0.get(field)
    }

    /// `Ok(())` when there is nothing to report, else `AppError::Invalid`.
    pub fn into_result(self) -> AppResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("unauthorized")]
    Unauthorized,
    /// A uniqueness or state conflict, reported on a field (409, or 422 on forms).
    #[error("conflict on {field}: {}", msg.key)]
    Conflict { field: String, msg: Msg },
    /// Input that does not pass validation (422).
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A malformed request that is not about one field (400).
    #[error("bad request: {}", .0.key)]
    BadRequest(Msg),
    #[error("too many attempts")]
    TooManyRequests,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("mail error: {0}")]
    Mail(String),
    #[error("unexpected: {0}")]
    Unexpected(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn conflict(field: &str, key: &str) -> Self {
        AppError::Conflict {
            field: field.to_string(),
            msg: Msg::new(key),
        }
    }

    pub fn invalid(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        AppError::Invalid(errors)
    }

    pub fn bad_request(key: &str) -> Self {
        AppError::BadRequest(Msg::new(key))
    }

    /// Field errors carried by this error, for re-rendering a form.
    pub fn field_errors(&self) -> Option<FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors.clone()),
            AppError::Conflict { field, msg } => {
                let mut errors = FieldErrors::new();
                errors.add(field, msg.clone());
                Some(errors)
            }
            _ => None,
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Unexpected(e.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Unexpected(e.to_string())
    }
}
