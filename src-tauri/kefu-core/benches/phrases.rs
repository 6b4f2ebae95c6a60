//! Quick phrase bench: 5,000 phrases (the default library's texts, varied, with codes),
//! ranked for every keystroke of typical queries (codes, pinyin initials, Chinese text);
//! p50/p99 of one keystroke's ranking, and the time to prepare the set.
//!
//! cargo bench -p kefu-core --bench phrases

use std::collections::HashMap;
use std::time::{Duration, Instant};

use kefu_core::phrases::{default_library, Finder, Phrase};

fn main() {
    let library = default_library();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let phrases: Vec<Phrase> = (0..5_000)
        .map(|i| {
            let base = &library[i % library.len()];
            Phrase::new(
                &format!("{}{}", base.group, i % 40),
                &format!("{}{i}", base.code),
                &format!("{}（第{i}条）", base.text),
            )
        })
        .collect();
    let t = Instant::now();
    let finder = Finder::new(&phrases);
    let build = t.elapsed();
    let uses: HashMap<usize, u32> = (0..500)
        .map(|_| ((next() % 5_000) as usize, (next() % 50) as u32))
        .collect();
    let queries = [
        "sc",
        "cfwl",
        "tkdbz",
        "qfh",
        "退款",
        "跟进催付",
        "hy12",
        "zq",
        "物流单号",
    ];
    let mut times: Vec<Duration> = Vec::new();
    let mut found = 0usize;
    for _ in 0..40 {
        for q in queries {
            // Every prefix, as the agent types it.
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let t = Instant::now();
                let hits = std::hint::black_box(finder.find(&typed, &uses, 20));
                times.push(t.elapsed());
                found += hits.len();
            }
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3;
    println!(
        "quick phrases: 5,000 phrases, {} keystrokes, {found} hits",
        times.len()
    );
    println!(
        "  prepare the set                {:>8.2} ms",
        build.as_secs_f64() * 1e3
    );
    println!("  rank one keystroke p50         {:>8.3} ms", pct(0.50));
    println!(
        "  rank one keystroke p99         {:>8.3} ms (target 2 ms)",
        pct(0.99)
    );
}
