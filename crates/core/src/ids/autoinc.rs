//! Database auto-increment as an id generator (seed 004 §六, "数据库"): one MySQL database whose
//! `AUTO_INCREMENT` column hands out 1, 2, 3, … is simple and ordered, but it is a single point of
//! failure: when it is down, no insert gets an id. Several databases can share the work with
//! `auto_increment_increment` (the step) and `auto_increment_offset` (where each one starts), so
//! that three of them hand out 1, 4, 7 … / 2, 5, 8 … / 3, 6, 9 …; but adding a fourth later is
//! hard (the Meituan Leaf blog: "系统水平扩展比较困难"), because each server computes its next value
//! from its own column only and re-issues values the others already used.
//!
//! Source: MySQL Reference Manual, "Replication Source Options and Variables",
//! `auto_increment_increment` / `auto_increment_offset`,
//! https://dev.mysql.com/doc/refman/8.4/en/replication-options-source.html: both range over
//! 1..65535 (default 1); values are `auto_increment_offset + N × auto_increment_increment`; "when
//! the value of auto_increment_offset is greater than that of auto_increment_increment, the value
//! of auto_increment_offset is ignored"; after either is changed, "the next value inserted is the
//! least value in the series that is greater than the maximum existing value in the
//! AUTO_INCREMENT column".
//!
//! Simplifications: every insert here either succeeds or is refused because the server is down,
//! before any value is taken, so a refused insert uses up no id. (In real InnoDB a value taken by
//! an insert that later fails or rolls back is lost and leaves a gap: manual, "AUTO_INCREMENT
//! Handling in InnoDB".) No rows are deleted, so the column's maximum is also the last value the
//! server issued.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::kernel::bounds;
use crate::text::Text;

/// The range of both settings (the manual: 1 to 65535).
pub const SETTING_MAX: u16 = u16::MAX;

/// The most databases one set-up may have.
pub const MAX_DATABASES: usize = 16;

/// The most inserts one cluster may take in all (the lab needs dozens; a view may draw thousands).
pub const MAX_INSERTS: u64 = 100_000;

/// One MySQL server with one table whose primary key is an `AUTO_INCREMENT` column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    /// The server's name, for messages ("db1").
    pub name: String,
    /// `auto_increment_increment`, 1..=65535.
    increment: u16,
    /// `auto_increment_offset`, 1..=65535.
    offset: u16,
    /// The largest value in the column, 0 while the table is empty.
    max_in_column: u64,
    /// The values this server has issued, in order.
    issued: Vec<u64>,
    /// False while the server is down.
    up: bool,
}

impl Database {
    /// `auto_increment_increment`.
    pub fn increment(&self) -> u16 {
        self.increment
    }

    /// `auto_increment_offset`, as set (see [`Database::effective_offset`]).
    pub fn offset(&self) -> u16 {
        self.offset
    }

    /// The offset the series really uses: the manual says an offset greater than the increment
    /// "is ignored"; InnoDB then uses 0 (`innobase_next_autoinc` in `ha_innodb.cc`: "if the
    /// offset is greater than the step then the offset is ignored", `offset = 0`), so the values
    /// are the multiples of the increment. Caution: the server layer rounds the engine's value
    /// again with the offset as set (`compute_next_insert_id` in `sql/handler.cc`), which was
    /// not traced here; a lesson should not rest on this case.
    pub fn effective_offset(&self) -> u16 {
        if self.offset > self.increment {
            0
        } else {
            self.offset
        }
    }

    /// The largest value in the column (0 for an empty table).
    pub fn max_in_column(&self) -> u64 {
        self.max_in_column
    }

    /// The values issued so far, oldest first.
    pub fn issued(&self) -> &[u64] {
        &self.issued
    }

    /// False while the server is down.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// The value the next insert will get: the least `offset + N × increment` (N ≥ 0) greater
    /// than the column's maximum (the manual's rule; its example with offset 5 and increment 10
    /// gives 5, 15, 25, 35 on an empty table).
    pub fn next_value(&self) -> u64 {
        let step = u64::from(self.increment);
        let offset = u64::from(self.effective_offset());
        let max = self.max_in_column;
        if max < offset {
            return offset;
        }
        // The least k with offset + k·step > max.
        let k = (max - offset) / step + 1;
        offset + k * step
    }
}

/// What an insert did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inserted {
    /// The database that took the insert.
    pub database: usize,
    /// The `AUTO_INCREMENT` value it got.
    pub id: u64,
    /// The first database that had already issued the same value, if any: two rows with one id,
    /// a duplicate once the tables are merged or the ids used as global keys.
    pub duplicate_of: Option<usize>,
}

/// One database or several, each minting ids from its own `AUTO_INCREMENT` column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoIncrement {
    databases: Vec<Database>,
    /// Every id issued, with the first database that issued it.
    first_issuer: BTreeMap<u64, usize>,
    /// Inserts taken in all.
    inserts: u64,
}

impl AutoIncrement {
    /// One database with the defaults (increment 1, offset 1): ids 1, 2, 3, …
    pub fn single() -> AutoIncrement {
        AutoIncrement::with_step(1).unwrap_or_else(|_| AutoIncrement::empty())
    }

    /// `n` databases set up as the manual suggests: increment `n`, offsets 1..=n, so that no two
    /// series meet.
    pub fn with_step(n: usize) -> Result<AutoIncrement, Text> {
        let mut cluster = AutoIncrement::empty();
        let step = setting(("databases", "台数据库"), n as u64)?;
        for offset in 1..=step {
            cluster.add_database(step, offset)?;
        }
        Ok(cluster)
    }

    /// No database yet.
    pub fn empty() -> AutoIncrement {
        AutoIncrement {
            databases: Vec::new(),
            first_issuer: BTreeMap::new(),
            inserts: 0,
        }
    }

    /// The databases, in the order they were added.
    pub fn databases(&self) -> &[Database] {
        &self.databases
    }

    /// Adds a database with an empty table and these settings; returns its index. Its name is
    /// `db1`, `db2`, … in order.
    pub fn add_database(&mut self, increment: u16, offset: u16) -> Result<usize, Text> {
        bounds::count(
            ("databases", "台数据库"),
            self.databases.len() as u64 + 1,
            MAX_DATABASES as u64,
        )?;
        check_settings(increment, offset)?;
        let index = self.databases.len();
        self.databases.push(Database {
            name: format!("db{}", index + 1),
            increment,
            offset,
            max_in_column: 0,
            issued: Vec::new(),
            up: true,
        });
        Ok(index)
    }

    /// `SET GLOBAL auto_increment_increment = …, auto_increment_offset = …` on one server. The
    /// values already in its column stay; its next value is the least of the new series above
    /// its own maximum (the manual). No other server is told.
    pub fn set_settings(
        &mut self,
        database: usize,
        increment: u16,
        offset: u16,
    ) -> Result<(), Text> {
        check_settings(increment, offset)?;
        let db = self.database_mut(database)?;
        db.increment = increment;
        db.offset = offset;
        Ok(())
    }

    /// Takes a server down (`up = false`) or brings it back; its table is kept.
    pub fn set_up(&mut self, database: usize, up: bool) -> Result<(), Text> {
        self.database_mut(database)?.up = up;
        Ok(())
    }

    /// `INSERT INTO t VALUES (NULL)` on one server: the row gets the server's next value. A server
    /// that is down refuses it: with one database, that is every insert of the system.
    pub fn insert(&mut self, database: usize) -> Result<Inserted, Text> {
        bounds::count(("inserts", "次插入"), self.inserts + 1, MAX_INSERTS)?;
        let db = self.database_mut(database)?;
        if !db.up {
            return Err(Text::new(
                format!(
                    "{} is down: the INSERT fails and no id is issued. With one database that is the whole system (a single point of failure).",
                    db.name
                ),
                format!(
                    "{} 宕机了：INSERT 失败，发不出 ID。只有一台数据库时，整个系统都停了（单点故障）。",
                    db.name
                ),
            ));
        }
        let id = db.next_value();
        db.max_in_column = id;
        db.issued.push(id);
        self.inserts += 1;
        let duplicate_of = match self.first_issuer.get(&id) {
            Some(&first) => Some(first),
            None => {
                self.first_issuer.insert(id, database);
                None
            }
        };
        Ok(Inserted {
            database,
            id,
            duplicate_of,
        })
    }

    /// Every id issued by more than one insert, with the databases that issued it.
    pub fn duplicates(&self) -> Vec<(u64, Vec<usize>)> {
        let mut by_id: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (index, db) in self.databases.iter().enumerate() {
            for &id in &db.issued {
                by_id.entry(id).or_default().push(index);
            }
        }
        by_id.into_iter().filter(|(_, dbs)| dbs.len() > 1).collect()
    }

    fn database_mut(&mut self, database: usize) -> Result<&mut Database, Text> {
        let count = self.databases.len();
        self.databases.get_mut(database).ok_or_else(|| {
            Text::new(
                format!("There is no database {} (there are {count}).", database + 1),
                format!("没有第 {} 台数据库（一共 {count} 台）。", database + 1),
            )
        })
    }
}

fn setting(what: (&str, &str), n: u64) -> Result<u16, Text> {
    if n == 0 {
        return Err(Text::new(
            format!("0 {} is too few; at least 1 is needed.", what.0),
            format!("0 {}太少了；至少需要 1 个。", what.1),
        ));
    }
    bounds::count(what, n, MAX_DATABASES as u64)?;
    Ok(n as u16)
}

fn check_settings(increment: u16, offset: u16) -> Result<(), Text> {
    if increment == 0 || offset == 0 {
        return Err(Text::new(
            "auto_increment_increment and auto_increment_offset range from 1 to 65535.",
            "auto_increment_increment 和 auto_increment_offset 的取值范围是 1 到 65535。",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(c: &mut AutoIncrement, db: usize, n: usize) -> Vec<u64> {
        (0..n).map(|_| c.insert(db).unwrap().id).collect()
    }

    #[test]
    fn one_database_counts_up_and_stops_when_it_is_down() {
        let mut c = AutoIncrement::single();
        assert_eq!(ids(&mut c, 0, 3), [1, 2, 3]);
        c.set_up(0, false).unwrap();
        let e = c.insert(0).unwrap_err();
        assert!(e.en.contains("single point of failure") && e.zh.contains("单点故障"));
        c.set_up(0, true).unwrap();
        assert_eq!(ids(&mut c, 0, 1), [4], "a refused insert used up no id");
    }

    #[test]
    fn the_manuals_examples() {
        // increment 10: 1, 11, 21, 31; then offset 5: 35, 45 (the least of 5 + N×10 above 31).
        let mut c = AutoIncrement::empty();
        c.add_database(10, 1).unwrap();
        assert_eq!(ids(&mut c, 0, 4), [1, 11, 21, 31]);
        c.set_settings(0, 10, 5).unwrap();
        assert_eq!(ids(&mut c, 0, 2), [35, 45]);
        // increment 10, offset 5 on an empty table: 5, 15, 25, 35.
        let mut c = AutoIncrement::empty();
        c.add_database(10, 5).unwrap();
        assert_eq!(ids(&mut c, 0, 4), [5, 15, 25, 35]);
    }

    #[test]
    fn an_offset_above_the_increment_is_ignored() {
        let mut c = AutoIncrement::empty();
        c.add_database(1, 200).unwrap();
        c.add_database(10, 15).unwrap();
        assert_eq!(ids(&mut c, 0, 3), [1, 2, 3]);
        assert_eq!(ids(&mut c, 1, 3), [10, 20, 30]);
        assert_eq!(c.databases()[1].effective_offset(), 0);
    }

    #[test]
    fn adding_a_fourth_database_reissues_ids() {
        let mut c = AutoIncrement::with_step(3).unwrap();
        for _ in 0..10 {
            for db in 0..3 {
                assert_eq!(c.insert(db).unwrap().duplicate_of, None);
            }
        }
        let maxima: Vec<u64> = c.databases().iter().map(|d| d.max_in_column()).collect();
        assert_eq!(maxima, [28, 29, 30]);
        for db in 0..3 {
            c.set_settings(db, 4, db as u16 + 1).unwrap();
        }
        let db4 = c.add_database(4, 4).unwrap();
        assert_eq!(db4, 3);
        let a = c.insert(0).unwrap();
        assert_eq!((a.id, a.duplicate_of), (29, Some(1)));
        let b = c.insert(1).unwrap();
        assert_eq!((b.id, b.duplicate_of), (30, Some(2)));
        let d = c.insert(2).unwrap();
        assert_eq!((d.id, d.duplicate_of), (31, None));
        let fourth: Vec<(u64, Option<usize>)> = (0..5)
            .map(|_| c.insert(3).unwrap())
            .map(|i| (i.id, i.duplicate_of))
            .collect();
        assert_eq!(
            fourth,
            [
                (4, Some(0)),
                (8, Some(1)),
                (12, Some(2)),
                (16, Some(0)),
                (20, Some(1))
            ]
        );
        assert_eq!(c.duplicates().len(), 7);
    }

    #[test]
    fn settings_and_counts_are_bounded() {
        let mut c = AutoIncrement::empty();
        assert!(c.add_database(0, 1).is_err());
        assert!(c.add_database(1, 0).is_err());
        c.add_database(SETTING_MAX, SETTING_MAX).unwrap();
        assert_eq!(ids(&mut c, 0, 2), [65_535, 131_070]);
        assert!(c.set_settings(5, 1, 1).is_err());
        assert!(c.insert(9).is_err());
        assert!(AutoIncrement::with_step(0).is_err());
        assert!(AutoIncrement::with_step(MAX_DATABASES + 1).is_err());
        let mut c = AutoIncrement::with_step(MAX_DATABASES).unwrap();
        assert!(c.add_database(1, 1).is_err());
        c.inserts = MAX_INSERTS;
        assert!(c.insert(0).is_err());
    }

    proptest! {
        /// N servers with increment N and offsets 1..=N never issue one id twice, in any order of
        /// inserts and outages, while the settings stay as they are.
        #[test]
        fn step_and_offset_never_collide_while_unchanged(
            n in 1usize..8,
            ops in proptest::collection::vec((0usize..8, any::<bool>()), 0..200),
        ) {
            let mut c = AutoIncrement::with_step(n).unwrap();
            for (db, outage) in ops {
                let db = db % n;
                if outage {
                    let up = !c.databases()[db].is_up();
                    c.set_up(db, up).unwrap();
                } else if let Ok(i) = c.insert(db) {
                    prop_assert_eq!(i.duplicate_of, None);
                    prop_assert_eq!(i.id % n as u64, (db as u64 + 1) % n as u64);
                }
            }
            prop_assert!(c.duplicates().is_empty());
            for db in c.databases() {
                prop_assert!(db.issued().windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
