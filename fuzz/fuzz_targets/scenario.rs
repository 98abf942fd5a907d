//! Scenario parsing and validation on arbitrary text: reading a scenario (its base chain, the
//! merge, the typed parse, validation), building the model from one that passes and drawing a
//! replication's parameters must return a result, never panic.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(loaded) = capsim::scenario::load_scenario_str("fuzz.toml", text, Path::new(".")) else {
        return;
    };
    if let Ok(model) = capsim::engine::Model::build(&loaded) {
        model.draw_parameters(1);
    }
});
