//! Fuzzes the read stage on bytes named as a .xlsx return (see common.rs).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::read("汤溪镇.xlsx", data));
