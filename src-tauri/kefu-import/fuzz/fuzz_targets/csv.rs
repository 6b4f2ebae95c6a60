//! The legacy CSV reader on any bytes: UTF-8 with or without BOM, GB18030, neither.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kefu_import::fuzzing::csv(data);
});
