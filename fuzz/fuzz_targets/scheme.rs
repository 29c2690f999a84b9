#![no_main]
//! Fuzz target `scheme`: see gwq::fuzzing::scheme_yaml.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gwq::fuzzing::scheme_yaml(data));
