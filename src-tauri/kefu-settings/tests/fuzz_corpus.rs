//! Replays the settings fuzzer's corpus and every input that ever crashed the parser
//! (`fuzz/corpus`, `fuzz/artifacts`) on stable, so that any machine's `cargo test` checks
//! them.

use std::path::Path;

#[test]
fn the_settings_corpus_reads_without_a_crash() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join("settings")) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let data = std::fs::read(&path).expect("a corpus file");
            eprintln!("{}", path.display());
            kefu_settings::fuzzing::settings(&data);
            n += 1;
        }
    }
    assert!(n >= 3, "the seed corpus is there ({n} inputs)");
}
