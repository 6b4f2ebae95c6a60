//! The shift schedule (排班) as stored: templates, each week's draft and what was published,
//! time off, and the shop's history that demand is read from. The rules (what a shift is,
//! what a week may hold, staffing) are kefu-core's `shifts`; this module keeps them.
//!
//! Two supervisors may edit one week at once (a team database): every write names the
//! version of the week it was made on, and a write on an older version is refused with
//! `Error::Conflict` instead of overwriting the other's change.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_core::shifts::{DayTime, Shift, ShiftTemplate, TimeOff, Week};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::rows::at as time;
use crate::{Db, Error, Result};

mod duty;
mod handover;

pub use handover::{Handed, HandedItem, Handover, Holding};
mod history;

pub(crate) use duty::set_duties;

/// A week of the schedule as the grid shows it: its draft, and whether that is what routing
/// follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeekPlan {
    pub monday: NaiveDate,
    /// Counts every change to the draft; a write names the version it was made on.
    pub version: i64,
    /// The version routing follows, if the week was ever published.
    pub published_version: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    /// The draft, by date, then template, then agent.
    pub shifts: Vec<Shift>,
}

impl WeekPlan {
    /// The draft is what was published (nothing changed since).
    pub fn is_published(&self) -> bool {
        self.published_version == Some(self.version)
    }
}

/// One change to a week's draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeekChange {
    /// Adds shifts (a shift already there stays as it is).
    Assign(Vec<Shift>),
    /// Removes one agent's shift of a template on a date.
    Clear {
        agent: String,
        date: NaiveDate,
        template: String,
    },
    /// The whole draft becomes these shifts (a suggestion taken, last week copied).
    Replace(Vec<Shift>),
}

/// version, published_version, published_at, published_by
type WeekRow = (i64, Option<i64>, Option<i64>, Option<String>);

#[derive(sqlx::FromRow)]
pub(crate) struct ShiftRow {
    agent: String,
    date: String,
    template: String,
    starts_at: i64,
    ends_at: i64,
}

impl TryFrom<ShiftRow> for Shift {
    type Error = Error;
    fn try_from(r: ShiftRow) -> Result<Shift> {
        Ok(Shift {
            agent: r.agent,
            date: date(&r.date)?,
            template: r.template,
            start: time(r.starts_at)?,
            end: time(r.ends_at)?,
        })
    }
}

fn date(raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| Error::Corrupt(format!("date {raw}")))
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Db {
    /// The shop's shift templates, by start time.
    pub async fn shift_templates(&self) -> Result<Vec<ShiftTemplate>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT name, start_minute, end_minute FROM shift_templates
             ORDER BY start_minute, name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(name, start, end)| {
                let minute = |m: i64| {
                    u16::try_from(m)
                        .ok()
                        .and_then(|m| DayTime::from_minutes(m).ok())
                        .ok_or_else(|| Error::Corrupt(format!("shift template minute {m}")))
                };
                Ok(ShiftTemplate {
                    name,
                    start: minute(start)?,
                    end: minute(end)?,
                })
            })
            .collect()
    }

    /// Adds a template, or changes the times of the one with its name. Shifts already
    /// planned keep the times they were planned with.
    pub async fn save_shift_template(&self, t: &ShiftTemplate) -> Result<()> {
        sqlx::query(
            "INSERT INTO shift_templates (name, start_minute, end_minute) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE
             SET start_minute = excluded.start_minute, end_minute = excluded.end_minute",
        )
        .bind(&t.name)
        .bind(i64::from(t.start.minutes()))
        .bind(i64::from(t.end.minutes()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The week's draft (version 0 and no shifts for a week nobody planned yet).
    pub async fn week_plan(&self, week: &Week) -> Result<WeekPlan> {
        let mut conn = self.pool.acquire().await?;
        let monday = day(week.monday());
        let head: Option<WeekRow> = sqlx::query_as(
            "SELECT version, published_version, published_at, published_by
             FROM schedule_weeks WHERE monday = $1",
        )
        .bind(&monday)
        .fetch_optional(&mut *conn)
        .await?;
        let (version, published_version, published_at, published_by) =
            head.unwrap_or((0, None, None, None));
        let shifts: Vec<ShiftRow> = sqlx::query_as(
            "SELECT a.name AS agent, s.date, s.template, s.starts_at, s.ends_at
             FROM shifts s JOIN agents a ON a.id = s.agent_id
             WHERE s.week = $1 ORDER BY s.date, s.starts_at, s.template, a.name",
        )
        .bind(&monday)
        .fetch_all(&mut *conn)
        .await?;
        Ok(WeekPlan {
            monday: week.monday(),
            version,
            published_version,
            published_at: published_at.map(time).transpose()?,
            published_by,
            shifts: shifts
                .into_iter()
                .map(Shift::try_from)
                .collect::<Result<_>>()?,
        })
    }

    /// Changes the week's draft, if it is still at `seen_version`; returns the week as it
    /// now is. Every shift must belong to the week and name a known agent.
    pub async fn change_week(
        &self,
        week: &Week,
        seen_version: i64,
        change: &WeekChange,
    ) -> Result<WeekPlan> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx, week, seen_version).await?;
        let monday = day(week.monday());
        let added = match change {
            WeekChange::Assign(shifts) => shifts.as_slice(),
            WeekChange::Replace(shifts) => {
                sqlx::query("DELETE FROM shifts WHERE week = $1")
                    .bind(&monday)
                    .execute(&mut *tx)
                    .await?;
                shifts.as_slice()
            }
            WeekChange::Clear {
                agent,
                date,
                template,
            } => {
                sqlx::query(
                    "DELETE FROM shifts WHERE week = $1 AND date = $2 AND template = $3
                     AND agent_id = (SELECT id FROM agents WHERE name = $4)",
                )
                .bind(&monday)
                .bind(day(*date))
                .bind(template)
                .bind(agent)
                .execute(&mut *tx)
                .await?;
                &[]
            }
        };
        for s in added {
            if week.day_of(s.date).is_none() {
                return Err(Error::NotFound(format!(
                    "{} is not in the week of {monday}",
                    s.date
                )));
            }
            let stored = sqlx::query(
                "INSERT INTO shifts (week, agent_id, date, template, starts_at, ends_at)
                 SELECT $1, a.id, $2, $3, $4, $5 FROM agents a WHERE a.name = $6
                 ON CONFLICT (agent_id, date, template) DO NOTHING",
            )
            .bind(&monday)
            .bind(day(s.date))
            .bind(&s.template)
            .bind(s.start.timestamp())
            .bind(s.end.timestamp())
            .bind(&s.agent)
            .execute(&mut *tx)
            .await?;
            if stored.rows_affected() == 0 && !agent_exists(&mut tx, &s.agent).await? {
                return Err(Error::NotFound(format!("account {}", s.agent)));
            }
        }
        tx.commit().await?;
        self.week_plan(week).await
    }

    /// Publishes the week's draft, if it is still at `seen_version`: from now on routing
    /// follows it.
    pub async fn publish_week(
        &self,
        week: &Week,
        seen_version: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<WeekPlan> {
        let mut tx = self.pool.begin().await?;
        let monday = day(week.monday());
        // Publishing is not a change of the draft: the version stays, and is the one
        // published.
        let updated = sqlx::query(
            "UPDATE schedule_weeks SET published_version = version, published_at = $1,
                 published_by = $2
             WHERE monday = $3 AND version = $4",
        )
        .bind(now.timestamp())
        .bind(by)
        .bind(&monday)
        .bind(seen_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(conflict(&mut tx, week).await);
        }
        sqlx::query("DELETE FROM published_shifts WHERE week = $1")
            .bind(&monday)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO published_shifts (week, agent_id, date, template, starts_at, ends_at)
             SELECT week, agent_id, date, template, starts_at, ends_at FROM shifts
             WHERE week = $1",
        )
        .bind(&monday)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.week_plan(week).await
    }

    /// Days off of the week's dates.
    pub async fn time_off(&self, week: &Week) -> Result<Vec<TimeOff>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.name, t.date FROM time_off t JOIN agents a ON a.id = t.agent_id
             WHERE t.date >= $1 AND t.date <= $2 ORDER BY t.date, a.name",
        )
        .bind(day(week.monday()))
        .bind(day(week.date(6)))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(agent, d)| {
                Ok(TimeOff {
                    agent,
                    date: date(&d)?,
                })
            })
            .collect()
    }

    /// Marks a day an agent cannot work.
    pub async fn add_time_off(&self, agent: &str, date: NaiveDate) -> Result<()> {
        let added = sqlx::query(
            "INSERT INTO time_off (agent_id, date) SELECT id, $1 FROM agents WHERE name = $2
             ON CONFLICT (agent_id, date) DO NOTHING",
        )
        .bind(day(date))
        .bind(agent)
        .execute(&self.pool)
        .await?;
        if added.rows_affected() == 0 {
            let mut conn = self.pool.begin().await?;
            if !agent_exists(&mut conn, agent).await? {
                return Err(Error::NotFound(format!("account {agent}")));
            }
        }
        Ok(())
    }
}

impl Db {
    /// Takes back a day off; whether there was one.
    pub async fn remove_time_off(&self, agent: &str, date: NaiveDate) -> Result<bool> {
        Ok(sqlx::query(
            "DELETE FROM time_off WHERE date = $1
             AND agent_id = (SELECT id FROM agents WHERE name = $2)",
        )
        .bind(day(date))
        .bind(agent)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }
}

/// Moves the week's draft from `seen` to the next version, creating the week at version 0
/// first; `Error::Conflict` when someone changed it since.
async fn bump_version(tx: &mut Transaction<'static, Any>, week: &Week, seen: i64) -> Result<()> {
    let monday = day(week.monday());
    sqlx::query(
        "INSERT INTO schedule_weeks (monday, starts_at, ends_at) VALUES ($1, $2, $3)
         ON CONFLICT (monday) DO NOTHING",
    )
    .bind(&monday)
    .bind(week.start().timestamp())
    .bind(week.end().timestamp())
    .execute(&mut **tx)
    .await?;
    let bumped = sqlx::query(
        "UPDATE schedule_weeks SET version = version + 1 WHERE monday = $1 AND version = $2",
    )
    .bind(&monday)
    .bind(seen)
    .execute(&mut **tx)
    .await?;
    if bumped.rows_affected() == 0 {
        return Err(conflict(tx, week).await);
    }
    Ok(())
}

/// The refusal of a write made on an old version of the week.
async fn conflict(tx: &mut Transaction<'static, Any>, week: &Week) -> Error {
    let now: Option<i64> =
        sqlx::query_scalar("SELECT version FROM schedule_weeks WHERE monday = $1")
            .bind(day(week.monday()))
            .fetch_optional(&mut **tx)
            .await
            .ok()
            .flatten();
    Error::Conflict(format!(
        "{} 这一周的排班已被他人修改（现为第 {} 版），请刷新后再改",
        week.monday().format("%m/%d"),
        now.unwrap_or(0)
    ))
}

async fn agent_exists(tx: &mut Transaction<'static, Any>, name: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents WHERE name = $1")
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use kefu_core::shifts::{ShiftTemplate, Week};
    use kefu_core::team::Role;

    use super::*;
    use crate::testing::{fresh, now};
    use crate::SHOP_TIME;

    fn monday() -> Week {
        Week::new(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), SHOP_TIME).unwrap()
    }

    fn shift(agent: &str, day: u32, template: &ShiftTemplate) -> Shift {
        let date = NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        Shift::new(agent, date, template, SHOP_TIME)
    }

    async fn team(db: &Db) {
        for name in ["小美", "小王"] {
            db.add_agent(name, Role::Agent, "x", 8, 1, now())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn the_default_templates_are_early_and_late() {
        let (_s, db) = fresh().await;
        assert_eq!(
            db.shift_templates().await.unwrap(),
            ShiftTemplate::defaults()
        );
        let night = ShiftTemplate::new("夜班", "22:00", "06:00").unwrap();
        db.save_shift_template(&night).await.unwrap();
        let names: Vec<String> = db
            .shift_templates()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["早班", "晚班", "夜班"]);
    }

    #[tokio::test]
    async fn a_write_on_an_old_version_is_refused_and_loses_nothing() {
        let (_s, db) = fresh().await;
        team(&db).await;
        let [early, late] = <[ShiftTemplate; 2]>::try_from(ShiftTemplate::defaults()).unwrap();
        let week = monday();
        let fresh_week = db.week_plan(&week).await.unwrap();
        assert_eq!((fresh_week.version, fresh_week.shifts.len()), (0, 0));
        // Two supervisors open version 0; the first one's change lands.
        let first = WeekChange::Assign(vec![shift("小美", 23, &early)]);
        let after = db.change_week(&week, 0, &first).await.unwrap();
        assert_eq!(after.version, 1);
        let second = WeekChange::Assign(vec![shift("小王", 23, &late)]);
        let refused = db.change_week(&week, 0, &second).await.unwrap_err();
        assert!(
            matches!(&refused, Error::Conflict(m) if m.contains("第 1 版")),
            "{refused}"
        );
        let kept = db.week_plan(&week).await.unwrap();
        assert_eq!(kept.shifts, vec![shift("小美", 23, &early)]);
        // On the version it now sees, the second supervisor's change lands beside it.
        let both = db.change_week(&week, 1, &second).await.unwrap();
        assert_eq!(both.version, 2);
        assert_eq!(
            both.shifts,
            vec![shift("小美", 23, &early), shift("小王", 23, &late)]
        );
    }

    #[tokio::test]
    async fn publishing_freezes_what_routing_follows_until_published_again() {
        let (_s, db) = fresh().await;
        team(&db).await;
        let early = ShiftTemplate::defaults().remove(0);
        let week = monday();
        db.change_week(
            &week,
            0,
            &WeekChange::Assign(vec![shift("小美", 24, &early)]),
        )
        .await
        .unwrap();
        let published = db.publish_week(&week, 1, "店长", now()).await.unwrap();
        assert!(published.is_published());
        assert_eq!(published.published_by.as_deref(), Some("店长"));
        let clear = WeekChange::Clear {
            agent: "小美".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            template: "早班".into(),
        };
        let draft = db.change_week(&week, 1, &clear).await.unwrap();
        assert!(!draft.is_published() && draft.shifts.is_empty());
        let routed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM published_shifts")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(
            routed, 1,
            "the published shift stands until published again"
        );
        assert!(matches!(
            db.publish_week(&week, 1, "店长", now()).await,
            Err(Error::Conflict(_))
        ));
    }

    #[tokio::test]
    async fn a_shift_outside_the_week_or_of_no_one_is_refused_whole() {
        let (_s, db) = fresh().await;
        team(&db).await;
        let early = ShiftTemplate::defaults().remove(0);
        let week = monday();
        let outside =
            WeekChange::Assign(vec![shift("小美", 23, &early), shift("小美", 30, &early)]);
        assert!(matches!(
            db.change_week(&week, 0, &outside).await,
            Err(Error::NotFound(_))
        ));
        let nobody = WeekChange::Assign(vec![shift("小美", 23, &early), shift("无名", 24, &early)]);
        assert!(matches!(
            db.change_week(&week, 0, &nobody).await,
            Err(Error::NotFound(m)) if m.contains("无名")
        ));
        let plan = db.week_plan(&week).await.unwrap();
        assert_eq!(
            (plan.version, plan.shifts.len()),
            (0, 0),
            "nothing was written"
        );
    }
}
