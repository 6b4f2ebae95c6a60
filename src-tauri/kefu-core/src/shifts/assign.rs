//! Steps (2) and (3) of the suggestion: concrete agents for the planned counts, repair of
//! what is still short, and taking back what no slot needs. Every placement is tested with
//! the checker's own logic (`rules::agent_breaches`), so the suggestion and the grid cannot
//! disagree on a rule.

use std::collections::HashSet;
use std::iter::once;

use chrono::{Duration, NaiveDate};

use super::rules::{agent_breaches, is_night};
use super::suggest::Column;
use super::{check, coverage, Breach, Roster, Shift, ShiftRules, ShiftTemplate, Warning, Week};

/// One agent's week being built: its fixed shifts, then the new ones.
struct Plan {
    name: String,
    days_off: Vec<NaiveDate>,
    shifts: Vec<Shift>,
    fixed: usize,
    /// What the fixed shifts already break: a new shift may leave that as it is, nothing
    /// more, so an agent with one old breach can still be scheduled elsewhere.
    base: Vec<(Vec<NaiveDate>, Breach)>,
}

pub(crate) struct Board<'a> {
    week: &'a Week,
    rules: &'a ShiftRules,
    templates: &'a [ShiftTemplate],
    roster: &'a Roster,
    need: Vec<u32>,
    scheduled: Vec<u32>,
    agents: Vec<Plan>,
}

/// How an agent ranks for a shift, lowest first: nights so far (for a night shift), weekend
/// shifts so far (for a Saturday or Sunday), hours so far, then 0 for yesterday's template
/// again, 1 for coming from a day off, 2 for a change; the roster order breaks ties.
/// Hours come before the template: a greedy that keeps crews on one template spends their
/// week by Friday and leaves the weekend to whoever is left.
type Rank = (u32, u32, i64, u8, usize);

impl<'a> Board<'a> {
    pub fn new(
        week: &'a Week,
        need: &[u32],
        roster: &'a Roster,
        templates: &'a [ShiftTemplate],
        rules: &'a ShiftRules,
    ) -> Board<'a> {
        let mut seen = HashSet::new();
        let agents = roster
            .agents
            .iter()
            .filter(|a| seen.insert(a.as_str()))
            .map(|name| {
                let shifts: Vec<Shift> = roster
                    .fixed
                    .iter()
                    .filter(|s| &s.agent == name)
                    .cloned()
                    .collect();
                let days_off: Vec<NaiveDate> = roster
                    .time_off
                    .iter()
                    .filter(|t| &t.agent == name)
                    .map(|t| t.date)
                    .collect();
                let mut refs: Vec<&Shift> = shifts.iter().collect();
                let base = agent_breaches(&mut refs, &days_off, rules, week.shop())
                    .into_iter()
                    .map(|f| (f.dates, f.breach))
                    .collect();
                Plan {
                    name: name.clone(),
                    days_off,
                    fixed: shifts.len(),
                    shifts,
                    base,
                }
            })
            .collect();
        Board {
            week,
            rules,
            templates,
            roster,
            need: need.to_vec(),
            scheduled: coverage(week, need, &roster.fixed).scheduled,
            agents,
        }
    }

    fn in_week<'s>(&self, plan: &'s Plan) -> impl Iterator<Item = &'s Shift> + 's {
        let week = *self.week;
        plan.shifts
            .iter()
            .filter(move |s| week.day_of(s.date).is_some())
    }

    /// Agents who could take a shift on `day`: not off, no shift of that date yet.
    pub fn free_on(&self, day: usize) -> HashSet<usize> {
        let date = self.week.date(day);
        (0..self.agents.len())
            .filter(|&a| {
                let p = &self.agents[a];
                !p.days_off.contains(&date) && p.shifts.iter().all(|s| s.date != date)
            })
            .collect()
    }

    /// The team's room this week for new shifts: hours under the weekly maximum, and
    /// shifts (a date each, at most six dates, as one of seven must be a rest day).
    pub fn room_in_week(&self) -> (f64, usize) {
        let mut hours = 0.0;
        let mut shifts = 0;
        for (a, p) in self.agents.iter().enumerate() {
            let minutes: i64 = self.in_week(p).map(Shift::minutes).sum();
            hours += (self.rules.max_week_minutes - minutes).max(0) as f64 / 60.0;
            let worked: HashSet<NaiveDate> = self.in_week(p).map(|s| s.date).collect();
            let free = (0..7).filter(|&d| self.free_on(d).contains(&a)).count();
            shifts += free.min(6usize.saturating_sub(worked.len()));
        }
        (hours, shifts)
    }

    /// The shift agent `a` would work, if it breaks no rule the agent did not break already
    /// (and the agent has no shift that date: one shift a day).
    fn fits(&self, a: usize, t: usize, day: usize) -> Option<Shift> {
        let p = &self.agents[a];
        let date = self.week.date(day);
        if p.days_off.contains(&date) || p.shifts.iter().any(|s| s.date == date) {
            return None;
        }
        let shift = Shift::new(&p.name, date, &self.templates[t], self.week.shop());
        let minutes: i64 = self.in_week(p).map(Shift::minutes).sum();
        if minutes + shift.minutes() > self.rules.max_week_minutes {
            return None;
        }
        let mut list: Vec<&Shift> = p.shifts.iter().chain(once(&shift)).collect();
        let found = agent_breaches(&mut list, &p.days_off, self.rules, self.week.shop());
        let unchanged = found.len() == p.base.len()
            && found
                .into_iter()
                .all(|f| p.base.contains(&(f.dates, f.breach)));
        unchanged.then_some(shift)
    }

    fn rank(&self, a: usize, shift: &Shift, day: usize) -> Rank {
        let p = &self.agents[a];
        let shop = self.week.shop();
        let nights = if is_night(shift, shop) {
            self.in_week(p).filter(|s| is_night(s, shop)).count() as u32
        } else {
            0
        };
        let weekends = if day >= 5 {
            self.in_week(p)
                .filter(|s| self.week.day_of(s.date).is_some_and(|d| d >= 5))
                .count() as u32
        } else {
            0
        };
        let yesterday = shift.date - Duration::days(1);
        let continuity = match p.shifts.iter().find(|s| s.date == yesterday) {
            Some(s) if s.template == shift.template => 0,
            None => 1,
            Some(_) => 2,
        };
        let minutes = self.in_week(p).map(Shift::minutes).sum();
        (nights, weekends, minutes, continuity, a)
    }

    /// Gives template `t` on `day` to the best-ranked agent it fits, or else through one
    /// swap (`place_by_swap`); false if neither works.
    pub fn place_best(&mut self, t: usize, day: usize) -> bool {
        let best = self.best_for(t, day, usize::MAX);
        let Some((a, shift)) = best else {
            return self.place_by_swap(t, day);
        };
        for s in self.week.slots_covered(shift.start, shift.end) {
            self.scheduled[s] += 1;
        }
        self.agents[a].shifts.push(shift);
        true
    }

    fn best_for(&self, t: usize, day: usize, except: usize) -> Option<(usize, Shift)> {
        (0..self.agents.len())
            .filter(|&a| a != except)
            .filter_map(|a| self.fits(a, t, day).map(|s| (self.rank(a, &s, day), a, s)))
            .min_by_key(|(rank, _, _)| *rank)
            .map(|(_, a, s)| (a, s))
    }

    /// When no one is free for `t` on `day`, an agent whose new shift stands in the way
    /// takes it, and that shift goes to another agent it fits: the same hours stay covered
    /// and the week gains the new one. The greedy order leaves such knots (an agent's week
    /// full by Friday, a late shift before the needed early one) and one swap undoes most.
    fn place_by_swap(&mut self, t: usize, day: usize) -> bool {
        for a in 0..self.agents.len() {
            for i in self.agents[a].fixed..self.agents[a].shifts.len() {
                let moved = self.agents[a].shifts.remove(i);
                let mine = self.fits(a, t, day);
                let theirs = self
                    .templates
                    .iter()
                    .position(|x| x.name == moved.template)
                    .zip(self.week.day_of(moved.date));
                if let (Some(mine), Some((mt, md))) = (mine, theirs) {
                    if let Some((b, given)) = self.best_for(mt, md, a) {
                        for s in self.week.slots_covered(mine.start, mine.end) {
                            self.scheduled[s] += 1;
                        }
                        self.agents[a].shifts.push(mine);
                        self.agents[b].shifts.push(given);
                        return true;
                    }
                }
                self.agents[a].shifts.insert(i, moved);
            }
        }
        false
    }

    /// Step (3): while some slot is short, adds the template-day covering the most short
    /// slots per hour that some agent can still take. A column no one can take is not tried
    /// again; each placement covers at least one more agent-slot, so this ends.
    pub fn repair(&mut self, cols: &[Column]) {
        let mut blocked = vec![false; cols.len()];
        loop {
            let mut order: Vec<(f64, usize)> = cols
                .iter()
                .enumerate()
                .filter(|(i, _)| !blocked[*i])
                .map(|(i, c)| {
                    let short = c
                        .slots
                        .clone()
                        .filter(|&s| self.scheduled[s] < self.need[s])
                        .count();
                    (short as f64 / c.hours.max(1e-9), i)
                })
                .filter(|(gain, _)| *gain > 0.0)
                .collect();
            order.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let mut placed = false;
            for (_, i) in order {
                if self.place_best(cols[i].template, cols[i].day) {
                    placed = true;
                    break;
                }
                blocked[i] = true;
            }
            if !placed {
                return;
            }
        }
    }

    /// Takes back new shifts that no slot needs, longest first (removing a shift never
    /// breaks a rule).
    pub fn trim(&mut self) {
        let mut order: Vec<(i64, usize, usize)> = self
            .agents
            .iter()
            .enumerate()
            .flat_map(|(a, p)| {
                (p.fixed..p.shifts.len()).map(move |i| (p.shifts[i].minutes(), a, i))
            })
            .collect();
        order.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        let mut gone: HashSet<(usize, usize)> = HashSet::new();
        for (_, a, i) in order {
            let s = &self.agents[a].shifts[i];
            let r = self.week.slots_covered(s.start, s.end);
            if r.clone().all(|s| self.scheduled[s] > self.need[s]) {
                for s in r {
                    self.scheduled[s] -= 1;
                }
                gone.insert((a, i));
            }
        }
        for (a, p) in self.agents.iter_mut().enumerate() {
            let mut i = 0;
            p.shifts.retain(|_| {
                i += 1;
                !gone.contains(&(a, i - 1))
            });
        }
    }

    /// The new shifts (by date, start, agent) and the checker's warnings on the whole
    /// schedule. Any warning the fixed shifts did not already have takes back the new
    /// shifts it names; `fits` makes that a guard that should never fire.
    pub fn finish(mut self) -> (Vec<Shift>, Vec<Warning>) {
        let shop = self.week.shop();
        let before = check(&self.roster.fixed, &self.roster.time_off, self.rules, shop);
        let warnings = loop {
            let warnings = check(&self.all_shifts(), &self.roster.time_off, self.rules, shop);
            match warnings.iter().find(|w| !before.contains(w)) {
                Some(extra) if self.take_back(extra) => continue,
                _ => break warnings,
            }
        };
        let mut new: Vec<Shift> = self
            .agents
            .into_iter()
            .flat_map(|p| p.shifts.into_iter().skip(p.fixed))
            .collect();
        new.sort_by(|x, y| (x.date, x.start, &x.agent).cmp(&(y.date, y.start, &y.agent)));
        (new, warnings)
    }

    /// Removes the new shifts a warning names; false if it names none.
    fn take_back(&mut self, w: &Warning) -> bool {
        let Some(p) = self.agents.iter_mut().find(|p| p.name == w.agent) else {
            return false;
        };
        let (len, fixed) = (p.shifts.len(), p.fixed);
        let mut i = 0;
        p.shifts.retain(|s| {
            i += 1;
            i <= fixed
                || !w
                    .shifts
                    .iter()
                    .any(|r| r.date == s.date && r.template == s.template)
        });
        p.shifts.len() < len
    }

    fn all_shifts(&self) -> Vec<Shift> {
        let mine: HashSet<&str> = self.agents.iter().map(|p| p.name.as_str()).collect();
        self.roster
            .fixed
            .iter()
            .filter(|s| !mine.contains(s.agent.as_str()))
            .chain(self.agents.iter().flat_map(|p| p.shifts.iter()))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::d;
    use crate::shifts::TimeOff;
    use crate::ShopTime;

    #[test]
    fn one_swap_frees_an_agent_for_a_shift_no_one_else_can_take() {
        let week = Week::new(d("2026-11-09"), ShopTime::SHANGHAI).unwrap();
        let templates = ShiftTemplate::defaults();
        let roster = Roster {
            agents: vec!["小美".to_owned(), "阿强".to_owned()],
            // 阿强 is off on Tuesday.
            time_off: vec![TimeOff {
                agent: "阿强".to_owned(),
                date: d("2026-11-10"),
            }],
            fixed: Vec::new(),
        };
        let rules = ShiftRules::default();
        let need = vec![0; 336];
        let mut board = Board::new(&week, &need, &roster, &templates, &rules);
        // Monday's late shift goes to 小美 (first in the roster); Tuesday's early one then
        // fits no one: 小美 would rest 8 hours, 阿强 is off.
        assert!(board.place_best(1, 0));
        assert_eq!(board.agents[0].shifts[0].template, "晚班");
        assert!(board.best_for(0, 1, usize::MAX).is_none());
        assert!(board.place_best(0, 1));
        let (shifts, warnings) = board.finish();
        assert!(warnings.is_empty());
        let got: Vec<(&str, &str)> = shifts
            .iter()
            .map(|s| (s.agent.as_str(), s.template.as_str()))
            .collect();
        assert_eq!(got, [("阿强", "晚班"), ("小美", "早班")]);
    }
}
