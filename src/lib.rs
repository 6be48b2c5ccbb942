//! huizong (汇总) consolidates the monthly party-building returns of a district's townships
//! into one official summary workbook, a JSON report and per-unit correction lists.
//!
//! Data flows one way: [`discover`] → [`read`] → [`normalize`] → [`matching`] →
//! [`reconcile`] → [`report`]. The [`driver`] wires the stages together for the commands of
//! [`cli`]; every stage between reading and reporting is a pure function over plain data.

// No panics on input: data from a file is never unwrapped or indexed (tests are exempt).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic))]

pub mod cli;
pub mod config;
pub mod discover;
pub mod driver;
pub mod fuzzy;
pub mod history;
pub mod layout;
pub mod ledger;
pub mod master;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod period;
pub mod read;
pub mod reconcile;
pub mod report;
pub mod timing;
pub mod values;

/// The hash maps and sets of the stages, keyed by names, codes and cells: hashed with FxHash
/// (rustc-hash) instead of std's SipHash, which took 6 % of a province run's CPU. Their keys
/// come from the district's own returns and master list, where SipHash's defence against
/// crafted collisions buys nothing.
pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
/// See [`HashMap`].
pub type HashSet<T> = rustc_hash::FxHashSet<T>;
