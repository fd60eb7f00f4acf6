//! Integration tests: a real PostgreSQL (a private server the tests start themselves,
//! one fresh database per test), Lisa served on a real port, and a real Chromium.

mod mail_sink;
mod support;

mod access;
mod access_reviews;
mod accounts;
mod actions;
mod api;
mod audit;
mod audits;
mod auth;
mod board_truth;
mod browser;
mod classification;
mod cli;
mod continuity;
mod dashboards;
mod database;
mod documents;
mod figures_property;
mod fuzz;
mod hostile;
mod incidents;
mod instances;
mod internal_control;
mod layers;
mod looks;
mod lost_updates;
mod notifications;
mod org;
mod probe;
mod reminders;
mod reports;
mod risks;
mod scale;
mod sso;
mod suppliers;
mod systems;
mod tenancy;
mod training;
mod two_factor;
