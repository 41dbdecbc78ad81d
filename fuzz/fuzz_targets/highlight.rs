#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| arkiv_fuzz::highlight(data));
