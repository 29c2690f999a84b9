#![no_main]
//! Fuzz target `csv`: see gwq::fuzzing::csv.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gwq::fuzzing::csv(data));
