//! [`UpdateBatch`]: the document updates a session appends to its log in one call.
//!
//! A session collects the updates of a batch straight into one buffer, in the format the SQLite
//! store keeps a log row in (each update as its `u32` little-endian length, then its bytes). So
//! an append is one allocation however many keystrokes it holds, the store writes slices of
//! that buffer without copying them into a row first, and no per-update buffer is freed on the
//! store's thread (in glibc, freeing memory another thread allocated takes that arena's lock,
//! which the runtime's workers contend for).

use bytes::Bytes;

/// Updates in the order they were accepted, each as `u32` LE length + bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateBatch {
    count: usize,
    encoded: Vec<u8>,
}

impl UpdateBatch {
    pub fn new() -> UpdateBatch {
        UpdateBatch::default()
    }

    /// Adds an update. Updates are far below 4 GiB: the server refuses messages above its
    /// limit long before.
    pub fn push(&mut self, update: &[u8]) {
        let len = u32::try_from(update.len()).expect("an update is smaller than 4 GiB");
        self.encoded.extend_from_slice(&len.to_le_bytes());
        self.encoded.extend_from_slice(update);
        self.count += 1;
    }

    /// How many updates.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes of the updates themselves, without their length prefixes.
    pub fn update_bytes(&self) -> usize {
        self.encoded.len() - 4 * self.count
    }

    /// The encoded batch.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    pub fn clear(&mut self) {
        self.count = 0;
        self.encoded.clear();
    }

    /// The updates, oldest first.
    pub fn iter(&self) -> Entries<'_> {
        Entries {
            rest: &self.encoded,
        }
    }

    /// Consecutive runs of updates whose encoding stays within `max_bytes` (a run holds at
    /// least one update, whatever its size): `(count, encoded run)`, borrowed from the batch.
    pub fn runs(&self, max_bytes: usize) -> impl Iterator<Item = (usize, &[u8])> {
        let mut rest = &self.encoded[..];
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let mut count = 0;
            let mut end = 0;
            for entry in (Entries { rest }) {
                let next = end + 4 + entry.len();
                if count > 0 && next > max_bytes {
                    break;
                }
                count += 1;
                end = next;
            }
            let (run, tail) = rest.split_at(end);
            rest = tail;
            Some((count, run))
        })
    }
}

impl<'a> IntoIterator for &'a UpdateBatch {
    type Item = &'a [u8];
    type IntoIter = Entries<'a>;

    fn into_iter(self) -> Entries<'a> {
        self.iter()
    }
}

impl<U: AsRef<[u8]>> FromIterator<U> for UpdateBatch {
    fn from_iter<I: IntoIterator<Item = U>>(updates: I) -> UpdateBatch {
        let mut batch = UpdateBatch::new();
        for update in updates {
            batch.push(update.as_ref());
        }
        batch
    }
}

impl From<Vec<Bytes>> for UpdateBatch {
    fn from(updates: Vec<Bytes>) -> UpdateBatch {
        updates.into_iter().collect()
    }
}

/// The updates of an encoded batch or run, oldest first.
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Entries<'a> {
    /// The entries of an encoded run, as [`UpdateBatch::runs`] yields it; `None` if it is not
    /// well formed (a truncated length or update).
    pub fn checked(encoded: &'a [u8]) -> Option<Vec<&'a [u8]>> {
        let mut entries = Entries { rest: encoded };
        let all = entries.by_ref().collect();
        // Iteration stops early only at a malformed entry, which it leaves unread.
        entries.rest.is_empty().then_some(all)
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = &'a [u8];

    /// The next update; `None` at the end, or at an entry whose length runs past the end.
    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, tail) = self.rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let entry = tail.get(..len)?;
        self.rest = &tail[len..];
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_each_update_with_its_length() {
        let batch: UpdateBatch = [&b"ab"[..], b"", b"xyz"].into_iter().collect();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch.update_bytes(), 5);
        assert_eq!(
            batch.encoded,
            [
                2, 0, 0, 0, b'a', b'b', 0, 0, 0, 0, 3, 0, 0, 0, b'x', b'y', b'z'
            ]
        );
        let back: Vec<&[u8]> = batch.iter().collect();
        assert_eq!(back, [&b"ab"[..], b"", b"xyz"]);
    }

    #[test]
    fn runs_stay_within_the_limit_but_hold_at_least_one_update() {
        let batch: UpdateBatch = [vec![1u8; 10], vec![2; 10], vec![3; 30], vec![4; 2]]
            .into_iter()
            .collect();
        let runs: Vec<(usize, usize)> = batch.runs(28).map(|(n, run)| (n, run.len())).collect();
        // 14 + 14 fits in 28; the 34-byte update goes alone; the last one after it.
        assert_eq!(runs, [(2, 28), (1, 34), (1, 6)]);
        let rejoined: Vec<u8> = batch.runs(28).flat_map(|(_, run)| run.to_vec()).collect();
        assert_eq!(rejoined, batch.encoded);
        assert_eq!(batch.runs(usize::MAX).count(), 1);
        assert_eq!(UpdateBatch::new().runs(10).count(), 0);
    }

    #[test]
    fn checked_rejects_truncated_runs() {
        let batch: UpdateBatch = [&b"abc"[..], b"de"].into_iter().collect();
        assert_eq!(
            Entries::checked(&batch.encoded),
            Some(vec![&b"abc"[..], b"de"])
        );
        assert_eq!(
            Entries::checked(&batch.encoded[..batch.encoded.len() - 1]),
            None
        );
        assert_eq!(Entries::checked(&batch.encoded[..2]), None);
        assert_eq!(Entries::checked(&[]), Some(vec![]));
    }
}
