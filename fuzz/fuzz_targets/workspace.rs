#![no_main]
//! Fuzz target `workspace`: see gwq::fuzzing::workspace_yaml.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gwq::fuzzing::workspace_yaml(data));
