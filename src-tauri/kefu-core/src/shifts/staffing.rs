//! Staffing per half hour with Erlang C, as workforce tools compute it for chat.
//!
//! A chat agent serves several buyers at once (最大接待量), so the model pools them: Erlang C
//! gives the conversation slots needed (servers N), each agent brings `max_load` slots, and
//! shrinkage (breaks, meetings, training) adds the agents who are on shift but not serving.
//! The handling time is a conversation's wall-clock length, assigned to closed.

use serde::{Deserialize, Serialize};

use super::SLOT_MINUTES;

/// The service target and shrinkage, each a setting with this default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Staffing {
    /// Share of buyers greeted within `answer_within_seconds`.
    pub service_level: f64,
    /// The shop's greeting target: a new buyer answered within 30 s.
    pub answer_within_seconds: f64,
    /// Share of shift time not spent serving. 25 % is the low end of the usual 25–40 %:
    /// a chat team's breaks are short, and the supervisor raises it for a team in training.
    pub shrinkage: f64,
    /// Handling time while the shop has no closed conversations to measure (10 minutes of
    /// wall clock, a typical pre-sale chat).
    pub fallback_handling_seconds: f64,
}

impl Default for Staffing {
    fn default() -> Self {
        Staffing {
            service_level: 0.8,
            answer_within_seconds: 30.0,
            shrinkage: 0.25,
            fallback_handling_seconds: 600.0,
        }
    }
}

/// Probability that a buyer waits, for `n` servers and offered load `a` (Erlangs): the
/// Erlang B recursion B₀ = 1, Bₖ = A·Bₖ₋₁ / (k + A·Bₖ₋₁) (stable in f64 for any load, no
/// factorials), then C = N·B / (N − A·(1 − B)). 1 when the servers cannot keep up (N ≤ A).
pub fn erlang_c(n: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    if f64::from(n) <= a {
        return 1.0;
    }
    let b = (1..=n).fold(1.0, |b, k| a * b / (f64::from(k) + a * b));
    c_from_b(n, a, b)
}

fn c_from_b(n: u32, a: f64, b: f64) -> f64 {
    let n = f64::from(n);
    (n * b / (n - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Share answered within `within_seconds`: SL = 1 − C·e^(−(N−A)·t/AHT).
pub fn service_level(n: u32, a: f64, handling_seconds: f64, within_seconds: f64) -> f64 {
    if a <= 0.0 {
        return 1.0;
    }
    if f64::from(n) <= a {
        return 0.0;
    }
    let c = erlang_c(n, a);
    sl(n, a, c, handling_seconds, within_seconds)
}

fn sl(n: u32, a: f64, c: f64, handling_seconds: f64, within_seconds: f64) -> f64 {
    1.0 - c * (-(f64::from(n) - a) * within_seconds / handling_seconds.max(1e-9)).exp()
}

/// The fewest servers (conversation slots) that meet the target for `arrivals` buyers in a
/// half hour of `handling_seconds` each; 0 for no arrivals. One pass of the recursion: each
/// N reuses B(N−1).
pub fn servers_needed(arrivals: f64, handling_seconds: f64, staffing: &Staffing) -> u32 {
    let a = arrivals * handling_seconds / (SLOT_MINUTES * 60) as f64;
    // NaN and infinite loads (bad inputs) need no one rather than a search without end.
    if !a.is_finite() || a <= 0.0 {
        return 0;
    }
    // A target of 100 % is never met exactly; this caps the search where the service level
    // is 1 within f64 for any load (the excess over A is far beyond a few √A).
    let target = staffing.service_level.min(1.0 - 1e-12);
    let cap = (a + 50.0 * a.sqrt() + 1000.0).min(f64::from(u32::MAX)) as u32;
    let mut b = 1.0;
    for n in 1..=cap {
        b = a * b / (f64::from(n) + a * b);
        if f64::from(n) > a {
            let c = c_from_b(n, a, b);
            if sl(n, a, c, handling_seconds, staffing.answer_within_seconds) >= target {
                return n;
            }
        }
    }
    cap
}

/// Agents for `servers` conversation slots: ⌈slots / max_load⌉, then shrinkage:
/// ⌈agents / (1 − shrinkage)⌉.
pub fn agents_needed(servers: u32, max_load: u32, staffing: &Staffing) -> u32 {
    if servers == 0 {
        return 0;
    }
    let serving = servers.div_ceil(max_load.max(1));
    let present = 1.0 - staffing.shrinkage.clamp(0.0, 0.95);
    let x = f64::from(serving) / present;
    // Rounded to 1e-9 first, so 4 / 0.8 = 5.000000000000001 does not ask for a sixth agent.
    ((x * 1e9).round() / 1e9).ceil() as u32
}

/// Agents needed in each slot for the arrivals per slot, at a pooled `max_load`.
pub fn staff(
    arrivals: &[f64],
    handling_seconds: f64,
    max_load: u32,
    staffing: &Staffing,
) -> Vec<u32> {
    arrivals
        .iter()
        .map(|&x| {
            agents_needed(
                servers_needed(x, handling_seconds, staffing),
                max_load,
                staffing,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn target(within: f64) -> Staffing {
        Staffing {
            answer_within_seconds: within,
            ..Staffing::default()
        }
    }

    #[test]
    fn the_textbook_case_needs_14() {
        // 100 arrivals in 30 min × 180 s = A of 10 Erlangs.
        assert_eq!(servers_needed(100.0, 180.0, &target(20.0)), 14);
        let sl13 = service_level(13, 10.0, 180.0, 20.0);
        assert!((sl13 - 0.796).abs() < 0.001, "{sl13}");
        assert!(service_level(14, 10.0, 180.0, 20.0) >= 0.8);
        assert!((erlang_c(10 + 4, 10.0) - 0.1741).abs() < 0.001);
    }

    #[test]
    fn no_arrivals_need_no_one() {
        assert_eq!(servers_needed(0.0, 180.0, &Staffing::default()), 0);
        assert_eq!(agents_needed(0, 3, &Staffing::default()), 0);
        assert_eq!(
            staff(&[0.0, 0.0], 600.0, 3, &Staffing::default()),
            vec![0, 0]
        );
    }

    #[test]
    fn slots_become_agents_then_shrinkage() {
        let s = Staffing::default();
        // 14 slots at 3 buyers each: 5 agents serving, 5 / 0.75 = 6.67 → 7 on shift.
        assert_eq!(agents_needed(14, 3, &s), 7);
        // 12 slots at load 3: 4 serving; 4 / 0.8 is exactly 5.
        let s20 = Staffing {
            shrinkage: 0.2,
            ..s.clone()
        };
        assert_eq!(agents_needed(12, 3, &s20), 5);
        let none = Staffing {
            shrinkage: 0.0,
            ..s
        };
        assert_eq!(agents_needed(1, 5, &none), 1);
    }

    #[test]
    fn large_loads_stay_finite() {
        // 20,000 arrivals of 10 min in a half hour: A ≈ 6,667.
        let n = servers_needed(20_000.0, 600.0, &Staffing::default());
        assert!((6_667..6_800).contains(&n), "{n}");
        assert!(service_level(n, 20_000.0 / 3.0, 600.0, 30.0) >= 0.8);
        assert!(service_level(n - 1, 20_000.0 / 3.0, 600.0, 30.0) < 0.8);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_need_is_the_smallest_that_meets_the_target(
            arrivals in 0.5f64..2_000.0,
            handling in 30.0f64..1_200.0,
            level in 0.5f64..0.99,
        ) {
            let s = Staffing { service_level: level, ..Staffing::default() };
            let a = arrivals * handling / 1800.0;
            let n = servers_needed(arrivals, handling, &s);
            prop_assert!(service_level(n, a, handling, 30.0) >= level);
            prop_assert!(n == 1 || service_level(n - 1, a, handling, 30.0) < level);
        }
    }
}
