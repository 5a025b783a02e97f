//! A quote's kind: direct speech, a partial quote inside reported speech, or scare quotes.

use super::*;

impl Ctx<'_, '_> {
    /// A direct quote is a whole statement: it opens its sentence or follows its cue
    /// (with only "," or ":" between), and is not cut off mid-sentence.
    pub(super) fn is_direct(&self, q: &RawQuote, text: &str, words: usize, _s: &Speaker) -> bool {
        if words < 4 {
            return false;
        }
        let starts = is_sentence_start(self.doc, q.open);
        let after_cue = {
            let mut j = q.open;
            let mut ok = false;
            while j > 0 {
                j -= 1;
                let t = self.text(j);
                if t == "," || t == ":" {
                    continue;
                }
                if self.is_cue(j) {
                    ok = true;
                } else if let Some(k) = self.covering_mention_end(j) {
                    // "According to Karimi, “…”"
                    let m = &self.mentions[k];
                    ok = m.t0 >= 2
                        && self.text(m.t0 - 1) == "to"
                        && self.text(m.t0 - 2).eq_ignore_ascii_case("according");
                }
                break;
            }
            ok
        };
        let ends_whole = text.ends_with(['.', ',', '!', '?', '\u{2026}', ':', ';'])
            || q.open_ended
            || self.sentence_end(q.close) <= q.close + 2;
        (starts || after_cue) && ends_whole
    }

    pub(super) fn covering_mention_end(&self, j: usize) -> Option<usize> {
        // Mentions are sorted by start; the one ending at `j + 1` starts at or before `j`.
        let upto = self.mentions.partition_point(|m| m.t0 <= j);
        self.mentions[..upto]
            .iter()
            .rev()
            .take(8)
            .position(|m| m.t1 == j + 1)
            .map(|p| upto - 1 - p)
    }
}
