//! The verification codes the world "sent" by SMS or voice (`GET /__admin/codes`), newest
//! last and bounded by `settings.codes_kept`, with an index by phone-number id and by number:
//! a test reads its own number's codes after each `request_code`, and finding them by a scan
//! of every kept code made that read grow with the namespace's history (up to 1,000 codes).

use std::collections::VecDeque;

use super::{HashMap, Id, SentCode};

/// The kept codes and their indexes. Saved as the list alone (`serve --state`: the format
/// is the plain list it always was); the indexes are rebuilt when it is read back.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(from = "VecDeque<SentCode>", into = "VecDeque<SentCode>")]
pub struct SentCodes {
    kept: VecDeque<SentCode>,
    /// Codes pushed out so far: a code's position in `kept` is its sequence number (counted
    /// from the first code ever kept) minus this.
    dropped: u64,
    /// Sequence numbers of the kept codes, oldest first, by phone-number id and by number
    /// (E.164 digits). A key goes when its last code does, so the indexes are bounded with
    /// the list.
    by_phone: HashMap<Id, VecDeque<u64>>,
    by_number: HashMap<String, VecDeque<u64>>,
}

impl SentCodes {
    /// Keeps `code`, then pushes out the oldest while more than `keep` are kept.
    pub fn push(&mut self, code: SentCode, keep: usize) {
        let seq = self.dropped + self.kept.len() as u64;
        self.by_phone.entry(code.phone).or_default().push_back(seq);
        self.by_number
            .entry(code.e164.clone())
            .or_default()
            .push_back(seq);
        self.kept.push_back(code);
        while self.kept.len() > keep {
            let Some(old) = self.kept.pop_front() else {
                break;
            };
            // The oldest kept code is the oldest of its phone's and its number's.
            forget_oldest(&mut self.by_phone, &old.phone);
            forget_oldest(&mut self.by_number, &old.e164);
            self.dropped += 1;
        }
    }

    /// Every kept code, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &SentCode> {
        self.kept.iter()
    }

    /// The newest code.
    pub fn back(&self) -> Option<&SentCode> {
        self.kept.back()
    }

    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The kept codes sent for phone-number id `phone`, oldest first.
    pub fn to_phone(&self, phone: Id) -> impl DoubleEndedIterator<Item = &SentCode> {
        self.at(self.by_phone.get(&phone))
    }

    /// The kept codes sent to `e164` (digits), whichever record they went to, oldest first.
    pub fn to_number(&self, e164: &str) -> impl DoubleEndedIterator<Item = &SentCode> {
        self.at(self.by_number.get(e164))
    }

    fn at<'a>(
        &'a self,
        seqs: Option<&'a VecDeque<u64>>,
    ) -> impl DoubleEndedIterator<Item = &'a SentCode> {
        seqs.into_iter()
            .flatten()
            .filter_map(|seq| self.kept.get((seq - self.dropped) as usize))
    }
}

fn forget_oldest<K: std::hash::Hash + Eq>(index: &mut HashMap<K, VecDeque<u64>>, key: &K) {
    if let Some(seqs) = index.get_mut(key) {
        seqs.pop_front();
        if seqs.is_empty() {
            index.remove(key);
        }
    }
}

impl From<VecDeque<SentCode>> for SentCodes {
    /// The list as saved, indexed again.
    fn from(kept: VecDeque<SentCode>) -> Self {
        let mut codes = SentCodes::default();
        let keep = kept.len();
        for code in kept {
            codes.push(code, keep);
        }
        codes
    }
}

impl From<SentCodes> for VecDeque<SentCode> {
    fn from(codes: SentCodes) -> Self {
        codes.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::world::vocab::CodeMethod;

    fn code(phone: Id, e164: &str, n: usize) -> SentCode {
        SentCode {
            phone,
            e164: e164.to_string(),
            code: format!("{n:06}"),
            method: CodeMethod::Sms,
            language: "en_US".to_string(),
            at: Timestamp(n as i64),
        }
    }

    /// What the indexes answer must be what a scan of the kept codes finds.
    fn check(codes: &SentCodes) {
        for phone in 1..=5 {
            let scanned: Vec<&str> = codes
                .iter()
                .filter(|c| c.phone == phone)
                .map(|c| c.code.as_str())
                .collect();
            let indexed: Vec<&str> = codes.to_phone(phone).map(|c| c.code.as_str()).collect();
            assert_eq!(indexed, scanned, "phone {phone}");
        }
        for number in ["155501", "155502", "155503"] {
            let scanned: Vec<&str> = codes
                .iter()
                .filter(|c| c.e164 == number)
                .map(|c| c.code.as_str())
                .collect();
            let indexed: Vec<&str> = codes.to_number(number).map(|c| c.code.as_str()).collect();
            assert_eq!(indexed, scanned, "number {number}");
        }
    }

    #[test]
    fn the_indexes_find_what_a_scan_finds_as_codes_come_and_go() {
        let mut codes = SentCodes::default();
        let numbers = ["155501", "155502", "155503"];
        for n in 0..500 {
            // Phones and numbers in different cycles: a number reaches several records.
            codes.push(code(n as Id % 5 + 1, numbers[n % 3], n), 40);
            assert!(codes.len() <= 40);
            check(&codes);
        }
        assert_eq!(codes.back().map(|c| c.code.as_str()), Some("000499"));
        // Bounded with the list: no key outlives its last code.
        codes.push(code(9, "199999", 500), 1);
        assert_eq!(
            (codes.len(), codes.by_phone.len(), codes.by_number.len()),
            (1, 1, 1)
        );
        assert_eq!(codes.to_phone(1).count(), 0);
        assert_eq!(codes.to_number("199999").count(), 1);
    }

    #[test]
    fn saved_as_the_plain_list_and_indexed_again_when_read() {
        let mut codes = SentCodes::default();
        for n in 0..30 {
            codes.push(code(n as Id % 5 + 1, "155501", n), 20);
        }
        let text = serde_json::to_string(&codes).unwrap();
        let list: Vec<SentCode> = serde_json::from_str(&text).unwrap();
        assert_eq!(list.len(), 20);
        let back: SentCodes = serde_json::from_str(&text).unwrap();
        check(&back);
        assert_eq!(back.to_phone(1).count(), 4);
    }
}
