//! Needed against scheduled, per half hour of a week: what the grid's coverage strip shows
//! after every change, so it is one pass over the shifts and one over the 336 slots.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Shift, Week, SLOTS_PER_DAY, SLOTS_PER_WEEK};

/// A slot short of agents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortSlot {
    pub slot: usize,
    pub start: DateTime<Utc>,
    pub needed: u32,
    pub scheduled: u32,
    /// Agents missing: `needed − scheduled`.
    pub missing: u32,
}

/// Per slot of the week, the agents needed and the agents on shift for the whole slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub needed: Vec<u32>,
    pub scheduled: Vec<u32>,
}

/// The coverage of `week` by `shifts` (shifts of other weeks count for the hours they
/// spend in this one: Sunday's night shift of last week covers Monday's early slots).
/// `need` shorter than the week counts as 0 for the missing slots.
pub fn coverage(week: &Week, need: &[u32], shifts: &[Shift]) -> Coverage {
    let mut delta = [0i32; SLOTS_PER_WEEK + 1];
    for s in shifts {
        let r = week.slots_covered(s.start, s.end);
        if !r.is_empty() {
            delta[r.start] += 1;
            delta[r.end] -= 1;
        }
    }
    let mut running = 0i32;
    let scheduled = delta[..SLOTS_PER_WEEK]
        .iter()
        .map(|d| {
            running += d;
            running.max(0) as u32
        })
        .collect();
    let mut needed = need.to_vec();
    needed.resize(SLOTS_PER_WEEK, 0);
    Coverage { needed, scheduled }
}

impl Coverage {
    /// Adds (`+1`) or takes away (`−1`) one shift, for a grid that keeps its coverage
    /// between changes instead of recounting.
    pub fn apply(&mut self, week: &Week, shift: &Shift, sign: i32) {
        for s in week.slots_covered(shift.start, shift.end) {
            self.scheduled[s] = self.scheduled[s].saturating_add_signed(sign);
        }
    }

    /// Slots with fewer agents than needed, in slot order.
    pub fn short(&self, week: &Week) -> Vec<ShortSlot> {
        self.needed
            .iter()
            .zip(&self.scheduled)
            .enumerate()
            .filter(|(_, (n, s))| s < n)
            .map(|(slot, (&needed, &scheduled))| ShortSlot {
                slot,
                start: week.slot_start(slot),
                needed,
                scheduled,
                missing: needed - scheduled,
            })
            .collect()
    }

    /// Per hour (168 of them): the larger need and the smaller staffing of its two halves,
    /// so an hour shows short when either half is.
    pub fn hourly(&self) -> (Vec<u32>, Vec<u32>) {
        let pairs = |v: &[u32], f: fn(u32, u32) -> u32| -> Vec<u32> {
            v.chunks(2)
                .map(|c| f(c[0], *c.get(1).unwrap_or(&c[0])))
                .collect()
        };
        (
            pairs(&self.needed, u32::max),
            pairs(&self.scheduled, u32::min),
        )
    }

    /// Agents short over the week in each day (Monday first), in agent-slots.
    pub fn short_by_day(&self) -> [u32; 7] {
        let mut out = [0; 7];
        for (slot, (n, s)) in self.needed.iter().zip(&self.scheduled).enumerate() {
            out[slot / SLOTS_PER_DAY] += n.saturating_sub(*s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{d, tpl};
    use crate::ShopTime;

    #[test]
    fn shifts_count_for_the_slots_they_cover_whole() {
        let sh = ShopTime::SHANGHAI;
        let week = Week::new(d("2026-11-09"), sh).unwrap();
        let early = tpl("早班", "08:00", "16:00");
        let night = tpl("夜班", "22:00", "06:00");
        let shifts = [
            Shift::new("a", d("2026-11-09"), &early, sh),
            Shift::new("b", d("2026-11-09"), &early, sh),
            // Last week's Sunday night covers this Monday 00:00–06:00.
            Shift::new("c", d("2026-11-08"), &night, sh),
            // This Sunday's night covers 22:00–24:00 here, the rest next week.
            Shift::new("d", d("2026-11-15"), &night, sh),
        ];
        let mut need = vec![0; 336];
        need[16] = 3;
        need[0] = 1;
        let c = coverage(&week, &need, &shifts);
        assert_eq!(c.scheduled[15], 0);
        assert_eq!(c.scheduled[16], 2);
        assert_eq!(c.scheduled[31], 2);
        assert_eq!(c.scheduled[32], 0);
        assert_eq!(c.scheduled[0..12], [1; 12]);
        assert_eq!(c.scheduled[12], 0);
        assert_eq!(c.scheduled[332..336], [1; 4]);
        let short = c.short(&week);
        assert_eq!(short.len(), 1);
        assert_eq!((short[0].slot, short[0].missing), (16, 1));
        assert_eq!(c.short_by_day()[0], 1);
        let (need_h, on_h) = c.hourly();
        assert_eq!((need_h.len(), need_h[8], on_h[8]), (168, 3, 2));

        let mut kept = c.clone();
        kept.apply(&week, &shifts[0], -1);
        assert_eq!(kept, coverage(&week, &need, &shifts[1..]));
        kept.apply(&week, &shifts[0], 1);
        assert_eq!(kept, c);
    }
}
