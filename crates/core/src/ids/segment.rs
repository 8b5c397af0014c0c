//! Segment mode, as Meituan's Leaf-segment does it: id servers do not ask the database for every
//! id; each takes a whole range (a segment, 号段) `[max_id, max_id + step)` from a row of table
//! `leaf_alloc` and hands out its ids from memory. With two buffers, a server loads the next
//! segment in the background once a tenth of the current one is used, so it rides out a database
//! outage until both buffers run dry. The price: ids are not in order across servers (each hands
//! out its own range at the same time), and a restarted server loses the rest of its buffers,
//! leaving gaps.
//!
//! Sources: the Leaf blog, https://tech.meituan.com/2017/04/21/mt-leaf.html (read through verbatim
//! copies); the code, Meituan-Dianping/Leaf `leaf-core`: `IDAllocMapper.java` (`updateMaxId`,
//! `getLeafAlloc`), `SegmentIDGenImpl.java` (`updateSegmentFromDb`, `getIdFromSegmentBuffer`),
//! `Segment.java` (`getIdle`), `README_CN.md` (the table).
//!
//! Simplifications: the dynamic step of `updateSegmentFromDb` (double the step when the last
//! segment lasted under 15 minutes, up to 1,000,000; halve it after 30 minutes) is left out: every
//! segment is one `step` long. A request that finds both buffers empty fails at once, where Leaf
//! first spins and sleeps briefly (`waitAndSleep`) for a load in flight. Tags are not reloaded
//! from the database every minute.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::kernel::bounds;
use crate::text::Text;

/// The longest step: Leaf's `MAX_STEP`, the cap of its dynamic step.
pub const MAX_STEP: u64 = 1_000_000;

/// The most `biz_tag` rows the table may hold.
pub const MAX_TAGS: usize = 64;

/// The largest `max_id` a row may start from (far below where `max_id + step` could wrap).
pub const MAX_START: u64 = 1 << 53;

/// Leaf's error code when both buffers are empty (`EXCEPTION_ID_TWO_SEGMENTS_ARE_NULL`).
pub const ERROR_TWO_SEGMENTS_ARE_NULL: i64 = -3;

/// One row of `leaf_alloc (biz_tag varchar(128) PK, max_id bigint DEFAULT 1, step int, …)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafAlloc {
    pub biz_tag: String,
    /// The first id not yet handed out to any server.
    pub max_id: u64,
    pub step: u64,
}

/// The database holding `leaf_alloc`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentDb {
    rows: Vec<LeafAlloc>,
    up: bool,
}

impl Default for SegmentDb {
    fn default() -> SegmentDb {
        SegmentDb::new()
    }
}

impl SegmentDb {
    /// An empty table on a running database.
    pub fn new() -> SegmentDb {
        SegmentDb {
            rows: Vec::new(),
            up: true,
        }
    }

    /// `INSERT INTO leaf_alloc (biz_tag, max_id, step) VALUES (…)`. Leaf's default `max_id` is 1.
    pub fn insert_tag(&mut self, biz_tag: &str, max_id: u64, step: u64) -> Result<(), Text> {
        bounds::name(("the biz_tag", "biz_tag"), biz_tag)?;
        bounds::count(("rows", "行"), self.rows.len() as u64 + 1, MAX_TAGS as u64)?;
        check_step(step)?;
        if max_id > MAX_START {
            return Err(Text::new(
                format!("max_id {max_id} is too large; at most {MAX_START} is allowed."),
                format!("max_id {max_id} 太大了；最多允许 {MAX_START}。"),
            ));
        }
        if self.rows.iter().any(|r| r.biz_tag == biz_tag) {
            return Err(Text::new(
                format!(
                    "Duplicate entry '{biz_tag}' for key 'PRIMARY': the tag already has a row."
                ),
                format!("Duplicate entry '{biz_tag}'：这个 biz_tag 已经有一行了（唯一索引冲突）。"),
            ));
        }
        self.rows.push(LeafAlloc {
            biz_tag: String::from(biz_tag),
            max_id,
            step,
        });
        Ok(())
    }

    /// The rows, for the view.
    pub fn rows(&self) -> &[LeafAlloc] {
        &self.rows
    }

    /// False while the database is down.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// Takes the database down or brings it back; its rows are kept.
    pub fn set_up(&mut self, up: bool) {
        self.up = up;
    }

    /// Changes a tag's step (an `UPDATE … SET step = …` by an operator); the next segment of
    /// every server is that long.
    pub fn set_step(&mut self, biz_tag: &str, step: u64) -> Result<(), Text> {
        check_step(step)?;
        self.row_mut(biz_tag)?.step = step;
        Ok(())
    }

    /// A server's request for a segment, as the blog writes it: `Begin; UPDATE leaf_alloc SET
    /// max_id = max_id + step WHERE biz_tag = …; SELECT tag, max_id, step FROM leaf_alloc WHERE
    /// biz_tag = …; Commit`. The server then serves `[max_id - step, max_id)` of the row it read,
    /// which is `[old max_id, old max_id + step)` (`updateSegmentFromDb`: `value = max_id -
    /// step`). The two statements are one atomic step here. Leaf's code commits the UPDATE
    /// before the SELECT (`IDAllocDaoImpl.updateMaxIdAndGetLeafAlloc`), so two servers updating
    /// at the same moment could both read the later `max_id` and serve the same range; the lab
    /// models the blog's transaction, not that race.
    pub fn allocate(&mut self, biz_tag: &str) -> Result<Segment, Text> {
        if !self.up {
            return Err(Text::new(
                "The database is down: the UPDATE of leaf_alloc fails and no segment is handed out.",
                "数据库宕机：更新 leaf_alloc 失败，没有号段可以下发。",
            ));
        }
        let row = self.row_mut(biz_tag)?;
        let new_max = row.max_id.checked_add(row.step).ok_or_else(|| {
            Text::new(
                "max_id would overflow a 64-bit integer.",
                "max_id 会超出 64 位整数的范围。",
            )
        })?;
        row.max_id = new_max;
        Ok(Segment {
            start: new_max - row.step,
            value: new_max - row.step,
            max: new_max,
            step: row.step,
        })
    }

    fn row_mut(&mut self, biz_tag: &str) -> Result<&mut LeafAlloc, Text> {
        self.rows
            .iter_mut()
            .find(|r| r.biz_tag == biz_tag)
            .ok_or_else(|| {
                Text::new(
                    format!("There is no row for biz_tag '{biz_tag}' in leaf_alloc."),
                    format!("leaf_alloc 里没有 biz_tag 为“{biz_tag}”的行。"),
                )
            })
    }
}

fn check_step(step: u64) -> Result<(), Text> {
    if step == 0 {
        return Err(Text::new(
            "A step of 0 hands out no ids; it must be at least 1.",
            "步长为 0 就发不出号；至少要是 1。",
        ));
    }
    bounds::count(("ids in one step", "个号（步长）"), step, MAX_STEP)
}

/// A range of ids held in a server's memory: `[start, max)`, of which `[value, max)` are not yet
/// handed out (Leaf's `Segment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    start: u64,
    value: u64,
    max: u64,
    step: u64,
}

impl Segment {
    /// The first id of the range.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The next id to hand out.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// One past the last id of the range.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The length of the range.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The ids not yet handed out (Leaf's `getIdle() = max - value`).
    pub fn idle(&self) -> u64 {
        self.max.saturating_sub(self.value)
    }
}

/// Which buffer a load fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoadFor {
    /// The server has no segment yet (Leaf loads the first one on the first request).
    First,
    /// The spare buffer, while the current segment is still being used.
    Next,
}

/// What one request for an id did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Take {
    /// The id, or Leaf's error -3 when both buffers are empty.
    pub result: Result<u64, Text>,
    /// A load this request started: the lab sends it to the database and later answers with
    /// [`SegmentServer::loaded`] or [`SegmentServer::load_failed`].
    pub load: Option<LoadFor>,
    /// True when this request switched to the spare buffer.
    pub switched: bool,
}

/// One Leaf server's double buffer for one `biz_tag` (Leaf's `SegmentBuffer`), as a pure state
/// machine: loads are requests the caller delivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentServer {
    biz_tag: String,
    current: Option<Segment>,
    next: Option<Segment>,
    /// A load is in flight (Leaf's `threadRunning`).
    loading: bool,
}

impl SegmentServer {
    /// A server that serves `biz_tag` and has no segment yet.
    pub fn new(biz_tag: &str) -> Result<SegmentServer, Text> {
        bounds::name(("the biz_tag", "biz_tag"), biz_tag)?;
        Ok(SegmentServer {
            biz_tag: String::from(biz_tag),
            current: None,
            next: None,
            loading: false,
        })
    }

    /// The tag it serves.
    pub fn biz_tag(&self) -> &str {
        &self.biz_tag
    }

    /// The segment ids are handed out from.
    pub fn current(&self) -> Option<&Segment> {
        self.current.as_ref()
    }

    /// The spare segment, loaded and waiting (Leaf's `nextReady`).
    pub fn next(&self) -> Option<&Segment> {
        self.next.as_ref()
    }

    /// True while a load is in flight.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// The ids left in both buffers.
    pub fn remaining(&self) -> u64 {
        self.current.map_or(0, |s| s.idle()) + self.next.map_or(0, |s| s.idle())
    }

    /// One id request (`getIdFromSegmentBuffer`). With no segment yet, it starts the first load
    /// and fails. Otherwise: if the spare buffer is empty, no load is in flight and the current
    /// segment's idle ids have dropped below 90% of its step (`segment.getIdle() < 0.9 *
    /// segment.getStep()`: more than a tenth handed out; the blog: "当前号段已下发10%时"), it
    /// starts loading the spare one; then it hands out the next id of the current segment. When
    /// the current one is used up, it switches to the spare one if that is loaded
    /// (`switchPos`), or fails with error -3 (Leaf: "Both two segments in {} are not ready!").
    /// Because the check runs on every request, a failed load is retried by the next one.
    pub fn next_id(&mut self) -> Take {
        let mut load = None;
        let mut switched = false;
        let Some(mut current) = self.current else {
            if !self.loading {
                self.loading = true;
                load = Some(LoadFor::First);
            }
            return Take {
                result: Err(both_empty()),
                load,
                switched,
            };
        };
        loop {
            if self.next.is_none()
                && !self.loading
                && u128::from(current.idle()) * 10 < u128::from(current.step) * 9
            {
                self.loading = true;
                load = Some(LoadFor::Next);
            }
            if current.value < current.max {
                let id = current.value;
                current.value += 1;
                self.current = Some(current);
                return Take {
                    result: Ok(id),
                    load,
                    switched,
                };
            }
            match self.next.take() {
                Some(spare) if !switched => {
                    current = spare;
                    self.current = Some(spare);
                    switched = true;
                }
                spare => {
                    self.next = spare;
                    self.current = Some(current);
                    return Take {
                        result: Err(both_empty()),
                        load,
                        switched,
                    };
                }
            }
        }
    }

    /// The database answered a load with `segment`: it becomes the current segment if the server
    /// had none, else the spare one. Returns false (and changes nothing) when no load was in
    /// flight, e.g. because the server restarted since it asked.
    pub fn loaded(&mut self, segment: Segment) -> bool {
        if !self.loading {
            return false;
        }
        self.loading = false;
        if self.current.is_none() {
            self.current = Some(segment);
        } else {
            self.next = Some(segment);
        }
        true
    }

    /// The load failed (the database is down): nothing is loaded, and the next request tries
    /// again (Leaf resets `threadRunning` in a `finally`).
    pub fn load_failed(&mut self) {
        self.loading = false;
    }

    /// The server restarts: both buffers live only in memory, so the ids left in them are never
    /// handed out (a gap in the ids); returns how many. A load in flight is forgotten, and the
    /// range the database hands out for it is lost as well.
    pub fn restart(&mut self) -> u64 {
        let lost = self.remaining();
        self.current = None;
        self.next = None;
        self.loading = false;
        lost
    }
}

/// Leaf's error -3, in words.
pub fn both_empty() -> Text {
    Text::new(
        "Both segments are used up and the next one is not loaded: the request fails with Leaf's error -3 (\"Both two segments are not ready\").",
        "两个号段都已用完，下一个号段还没加载好：这次取号失败，返回 Leaf 的错误码 -3（Both two segments are not ready）。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Delivers the server's pending load at once (the database answering within the step).
    fn serve(server: &mut SegmentServer, db: &mut SegmentDb) -> Result<u64, Text> {
        let take = server.next_id();
        if take.load.is_some() {
            match db.allocate(server.biz_tag()) {
                Ok(seg) => {
                    server.loaded(seg);
                }
                Err(_) => server.load_failed(),
            }
        }
        take.result
    }

    fn db_with(step: u64) -> SegmentDb {
        let mut db = SegmentDb::new();
        db.insert_tag("order", 1, step).unwrap();
        db
    }

    #[test]
    fn the_first_request_loads_the_first_segment() {
        let mut db = db_with(10);
        let mut s = SegmentServer::new("order").unwrap();
        let take = s.next_id();
        assert_eq!(take.load, Some(LoadFor::First));
        assert!(take.result.unwrap_err().en.contains("-3"));
        assert!(s.loaded(db.allocate("order").unwrap()));
        assert_eq!(db.rows()[0].max_id, 11);
        assert_eq!(s.current().map(|c| (c.start(), c.max())), Some((1, 11)));
        assert_eq!(s.next_id().result, Ok(1));
    }

    #[test]
    fn the_spare_segment_loads_once_a_tenth_is_handed_out() {
        let mut db = db_with(10);
        let mut s = SegmentServer::new("order").unwrap();
        s.next_id();
        s.loaded(db.allocate("order").unwrap());
        // idle 10 and 9 are not below 0.9 × 10; idle 8 is, on the third request.
        assert_eq!(s.next_id().load, None);
        assert_eq!(s.next_id().load, None);
        let third = s.next_id();
        assert_eq!((third.result, third.load), (Ok(3), Some(LoadFor::Next)));
        // While the load is in flight no second one starts.
        assert_eq!(s.next_id().load, None);
        assert!(s.loaded(db.allocate("order").unwrap()));
        assert_eq!(s.next().map(|n| (n.start(), n.max())), Some((11, 21)));
    }

    #[test]
    fn the_server_switches_to_the_spare_segment_when_the_current_one_runs_out() {
        let mut db = db_with(10);
        let mut s = SegmentServer::new("order").unwrap();
        let ids: Vec<u64> = (0..25)
            .filter_map(|_| serve(&mut s, &mut db).ok())
            .collect();
        let expected: Vec<u64> = (1..=24).collect();
        assert_eq!(ids, expected, "only the very first request failed");
        assert_eq!(
            db.rows()[0].max_id,
            41,
            "four segments taken, the fourth is spare"
        );
    }

    #[test]
    fn the_buffers_ride_out_an_outage_until_they_run_dry() {
        let mut db = db_with(100);
        let mut s = SegmentServer::new("order").unwrap();
        serve(&mut s, &mut db).unwrap_err();
        for _ in 0..20 {
            serve(&mut s, &mut db).unwrap();
        }
        assert!(s.next().is_some(), "the spare segment is ready");
        db.set_up(false);
        // 80 ids left in the current segment, 100 in the spare: 180 more ids without the database.
        let mut served = 0;
        let mut loads_tried = 0;
        let failure = loop {
            let take = s.next_id();
            if take.load.is_some() {
                loads_tried += 1;
                assert!(db.allocate("order").is_err());
                s.load_failed();
            }
            match take.result {
                Ok(_) => served += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(served, 180);
        assert!(loads_tried > 1, "every request retries the failed load");
        assert!(failure.en.contains("-3") && failure.zh.contains("-3"));
        // The database comes back: the next request's load refills the buffer.
        db.set_up(true);
        assert!(serve(&mut s, &mut db).is_err());
        assert_eq!(serve(&mut s, &mut db), Ok(201));
    }

    #[test]
    fn two_servers_hand_out_ids_out_of_order() {
        let mut db = db_with(100);
        let mut a = SegmentServer::new("order").unwrap();
        let mut b = SegmentServer::new("order").unwrap();
        serve(&mut a, &mut db).unwrap_err();
        serve(&mut b, &mut db).unwrap_err();
        let stream = [
            serve(&mut a, &mut db).unwrap(),
            serve(&mut b, &mut db).unwrap(),
            serve(&mut a, &mut db).unwrap(),
        ];
        assert_eq!(
            stream,
            [1, 101, 2],
            "unique, but not increasing across servers"
        );
    }

    #[test]
    fn a_restart_loses_the_rest_of_both_buffers() {
        let mut db = db_with(10);
        let mut s = SegmentServer::new("order").unwrap();
        for _ in 0..4 {
            let _ = serve(&mut s, &mut db);
        }
        // Handed out 1, 2, 3; 4..=10 left in the current segment and 11..=20 in the spare.
        assert_eq!(s.restart(), 17);
        let _ = serve(&mut s, &mut db);
        assert_eq!(serve(&mut s, &mut db), Ok(21), "ids 4 to 20 are a gap");
        // An answer to a load asked before a restart is dropped.
        let mut t = SegmentServer::new("order").unwrap();
        t.next_id();
        t.restart();
        assert!(!t.loaded(db.allocate("order").unwrap()));
    }

    #[test]
    fn rows_and_steps_are_checked() {
        let mut db = SegmentDb::new();
        assert!(db.insert_tag("t", 1, 0).is_err());
        assert!(db.insert_tag("t", 1, MAX_STEP + 1).is_err());
        assert!(db.insert_tag("t", MAX_START + 1, 1).is_err());
        assert!(db.insert_tag(&"t".repeat(300), 1, 1).is_err());
        db.insert_tag("t", 1, 5).unwrap();
        assert!(db.insert_tag("t", 1, 5).is_err());
        assert!(db.allocate("nope").is_err());
        db.set_step("t", 7).unwrap();
        assert_eq!(db.allocate("t").map(|s| (s.start(), s.max())), Ok((1, 8)));
        assert!(SegmentServer::new(&"t".repeat(300)).is_err());
    }

    proptest! {
        /// Whatever the order of requests, late or failed loads, outages and restarts, no id is
        /// handed out twice across servers, and each server's ids increase.
        #[test]
        fn ids_are_unique_across_servers_and_increase_per_server(
            ops in proptest::collection::vec((0usize..3, 0u8..10), 0..300),
        ) {
            let mut db = db_with(5);
            let mut servers: Vec<SegmentServer> =
                (0..3).map(|_| SegmentServer::new("order").unwrap()).collect();
            let mut seen = alloc::collections::BTreeSet::new();
            let mut last = [0u64; 3];
            for (i, op) in ops {
                let s = &mut servers[i];
                match op {
                    0 if s.is_loading() => match db.allocate("order") {
                        Ok(seg) => { s.loaded(seg); }
                        Err(_) => s.load_failed(),
                    },
                    1 => db.set_up(!db.is_up()),
                    2 => { s.restart(); }
                    _ => {
                        if let Ok(id) = s.next_id().result {
                            prop_assert!(seen.insert(id), "id {} twice", id);
                            prop_assert!(id > last[i]);
                            last[i] = id;
                        }
                    }
                }
            }
        }
    }
}
