//! The settings parser on any bytes: it answers, never panics, and what it accepts writes
//! back to itself (`kefu_settings::fuzzing::settings` states the invariants).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu_settings::fuzzing::settings(data);
});
