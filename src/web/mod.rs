//! HTTP: thin handlers that parse the request, call a domain service and render a page,
//! redirect, or answer JSON.
pub mod api;
pub mod drafts;
pub mod forms;
pub mod guards;
pub mod pages;
pub mod pick;
pub mod respond;
