//! Domain services: typed values and business rules over any database connection,
//! without HTTP.
pub mod academic_years;
pub mod access;
pub mod audit;
pub mod demo;
pub mod exports;
pub mod imports;
pub mod notify;
pub mod paging;
pub mod schools;
pub mod settings;
pub mod teachers;
pub mod tokens;
pub mod types;
pub mod users;
