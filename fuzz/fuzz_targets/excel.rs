#![no_main]
//! Fuzz target `excel`: see gwq::fuzzing::excel.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gwq::fuzzing::excel(data));
