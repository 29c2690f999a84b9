#![no_main]
//! Fuzz target `values`: see gwq::fuzzing::values_and_headers.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gwq::fuzzing::values_and_headers(data));
