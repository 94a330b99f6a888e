//! The domain of **tend**, a private values-alignment and accountability journal for members
//! of worker-owned cooperatives.
//!
//! This crate knows nothing of files, terminals or keys: it holds the words of the product
//! (values packs, reflections, commitments, repairs, consent, contributions, retreat
//! summaries) and the rules that bind them. `tend-store` keeps these encrypted on disk and
//! `tend-cli` talks to a person.
//!
//! ```
//! use tend_core::{date, pack::ValuesPack, reflection::{Reflection, ValueRating}};
//! use chrono::{NaiveDate, TimeZone, Utc};
//!
//! let pack = ValuesPack::default_pack();
//! assert!(pack.value("equity").is_some());
//!
//! let today = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a real date");
//! let on = date::parse("yesterday", today).expect("a date people type");
//! let reflection = Reflection::new(
//!     "Shared the sliding-scale numbers openly at the meeting.",
//!     on,
//!     Utc.with_ymd_and_hms(2026, 11, 20, 18, 0, 0).unwrap(),
//! )
//! .with_value(ValueRating::new("transparency", Some(4)));
//! assert_eq!(reflection.title(), "Shared the sliding-scale numbers openly at the meeting.");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod commitment;
pub mod contribution;
pub mod date;
pub mod export;
pub mod id;
pub mod insights;
pub mod pack;
pub mod reflection;
pub mod repair;
pub mod retreat;
pub mod text;
