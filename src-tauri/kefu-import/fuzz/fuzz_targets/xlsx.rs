//! The Qianniu .xlsx reader on any bytes (a zip of XML sheets, or not).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kefu_import::fuzzing::xlsx(data);
});
