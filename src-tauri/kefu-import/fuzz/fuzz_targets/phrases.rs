//! The phrase importer on any bytes: CSV (UTF-8 with or without BOM, GB18030), .xlsx, JSON.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kefu_import::fuzzing::phrases(data);
});
