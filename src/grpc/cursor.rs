//! Opaque resume cursors.
//!
//! A cursor names a position in one ordering (articles, entities, mentions,
//! quotes, search hits). It is URL-safe base64 of `kind|payload|check`, where
//! `check` is a checksum of the rest: a cursor that was cut, edited
//! or made up is rejected as INVALID_ARGUMENT instead of silently resuming
//! somewhere else. Article cursors are shared by ListArticles,
//! WatchArticles and IngestArticles, so "list everything, then watch from
//! the last cursor" misses nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{Error, Invalid, Result};
use crate::query::{EntityPos, ItemPos, StoryPos};

const FIELD: &str = "cursor";
/// Cursors larger than this are rejected before decoding. Every cursor the
/// server issues is far shorter (the longest, an entity's, is under 600).
pub const MAX_CURSOR_LEN: usize = 1024;

/// A checksum that catches cut, edited or made-up cursors. It is not a
/// secret-keyed MAC (a cursor grants nothing a request could not ask for
/// directly), so a fast, stable FNV-1a is enough; it runs once per streamed
/// item, where a cryptographic hash showed up in profiles.
fn checksum(kind: &str, payload: &str) -> u64 {
    fnv(
        fnv(fnv(PREFIX_HASH, kind.as_bytes()), b"|"),
        payload.as_bytes(),
    )
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;
/// The hash state after the fixed prefix, computed once at compile time.
const PREFIX_HASH: u64 = fnv(FNV_OFFSET, b"newscorpus-cursor-v1|");

const fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(FNV_PRIME);
        i += 1;
    }
    hash
}

fn check(kind: &str, payload: &str) -> String {
    format!("{:016x}", checksum(kind, payload))
}

fn encode(kind: &str, payload: &str) -> String {
    // Built on the stack without `format!`, one allocation for the answer:
    // this runs once per streamed item, where formatting showed up as a
    // tenth of a stream's cost.
    let mut raw = [0u8; 256];
    let len = kind.len() + payload.len() + 18;
    let mut cursor = String::with_capacity((len * 4).div_ceil(3));
    if len <= raw.len() {
        let mut at = 0;
        for part in [kind.as_bytes(), b"|", payload.as_bytes(), b"|"] {
            raw[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        hex16(checksum(kind, payload), &mut raw[at..at + 16]);
        URL_SAFE_NO_PAD.encode_string(&raw[..len], &mut cursor);
    } else {
        // Longer than the buffer (entity cursors carry a name).
        let raw = format!("{kind}|{payload}|{:016x}", checksum(kind, payload));
        URL_SAFE_NO_PAD.encode_string(raw, &mut cursor);
    }
    cursor
}

/// `value` as 16 lowercase hex digits, as `{:016x}` writes it.
fn hex16(value: u64, out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in out.iter_mut().enumerate().take(16) {
        *byte = DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
    }
}

/// Writes `value` in decimal at the start of `out`; returns the length.
fn decimal(mut value: u64, out: &mut [u8]) -> usize {
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        n += 1;
        if value == 0 {
            break;
        }
    }
    for i in 0..n {
        out[i] = digits[n - 1 - i];
    }
    n
}

fn decode(kind: &str, cursor: &str) -> Result<String> {
    let malformed = || {
        Error::invalid(
            FIELD,
            "malformed cursor: pass back a cursor the server returned",
        )
    };
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(malformed());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| malformed())?;
    let raw = String::from_utf8(bytes).map_err(|_| malformed())?;
    let (rest, sum) = raw.rsplit_once('|').ok_or_else(malformed)?;
    let (found_kind, payload) = rest.split_once('|').ok_or_else(malformed)?;
    if check(found_kind, payload) != sum {
        return Err(malformed());
    }
    if found_kind != kind {
        return Err(Error::invalid_as(
            Invalid::CursorWrongListing,
            FIELD,
            format!("cursor belongs to a different listing ({found_kind}, expected {kind})"),
        ));
    }
    Ok(payload.to_owned())
}

/// Cursor after the article at `seq`.
pub fn article(seq: u64) -> String {
    encode("article", &seq.to_string())
}

/// Parses an article cursor.
pub fn parse_article(cursor: &str) -> Result<u64> {
    decode("article", cursor)?
        .parse()
        .map_err(|_| Error::invalid(FIELD, "malformed article cursor"))
}

/// Cursor after a mention or quote.
pub fn item(kind: &'static str, pos: ItemPos) -> String {
    // "seq.index": at most 20 + 1 + 10 ASCII digits.
    let mut buffer = [0u8; 32];
    let mut len = decimal(pos.seq, &mut buffer);
    buffer[len] = b'.';
    len += 1;
    len += decimal(u64::from(pos.index), &mut buffer[len..]);
    let payload = std::str::from_utf8(&buffer[..len]).unwrap_or_default();
    encode(kind, payload)
}

/// Parses a mention or quote cursor.
pub fn parse_item(kind: &'static str, cursor: &str) -> Result<ItemPos> {
    let payload = decode(kind, cursor)?;
    let bad = || Error::invalid(FIELD, format!("malformed {kind} cursor"));
    let (seq, index) = payload.split_once('.').ok_or_else(bad)?;
    let pos = ItemPos {
        seq: seq.parse().map_err(|_| bad())?,
        index: index.parse().map_err(|_| bad())?,
    };
    if pos.seq == 0 {
        return Err(bad());
    }
    Ok(pos)
}

/// Longest entity name a cursor carries whole. Longer names are cut (at a
/// character boundary) and marked, so that every entity cursor stays far
/// below [`MAX_CURSOR_LEN`] whatever the name: ids are bounded by
/// construction (slugs are capped), names are not.
const CURSOR_NAME_BYTES: usize = 160;

/// Cursor after an entity.
pub fn entity(pos: &EntityPos) -> String {
    if pos.name.len() <= CURSOR_NAME_BYTES {
        return encode(
            "entity",
            &format!("{}\u{1f}{}\u{1f}{}", pos.inverted_count, pos.name, pos.id),
        );
    }
    let mut cut = CURSOR_NAME_BYTES;
    while !pos.name.is_char_boundary(cut) {
        cut -= 1;
    }
    encode(
        "entity",
        &format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}cut",
            pos.inverted_count,
            &pos.name[..cut],
            pos.id
        ),
    )
}

/// A parsed entity cursor. When the name was cut, `pos.name` holds its
/// start: the caller puts the entity's whole name back (see
/// [`EntityCursor::name_cut`]); resuming from the cut name instead would at
/// worst send again a few entities whose names share that start, never skip one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityCursor {
    /// Where to resume.
    pub pos: EntityPos,
    /// True when `pos.name` is only the first bytes of the name.
    pub name_cut: bool,
}

/// Parses an entity cursor.
pub fn parse_entity(cursor: &str) -> Result<EntityCursor> {
    let payload = decode("entity", cursor)?;
    let bad = || Error::invalid(FIELD, "malformed entity cursor");
    let mut parts = payload.split('\u{1f}');
    let (Some(count), Some(name), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let name_cut = match (parts.next(), parts.next()) {
        (None, None) => false,
        (Some("cut"), None) => true,
        _ => return Err(bad()),
    };
    Ok(EntityCursor {
        pos: EntityPos {
            inverted_count: count.parse().map_err(|_| bad())?,
            name: name.to_owned(),
            id: id.to_owned(),
        },
        name_cut,
    })
}

/// The cursor a request carries, if any: trimmed, and refused only past
/// [`MAX_CURSOR_LEN`] (not the shorter limit of ids), so that every cursor
/// the server issues is accepted back.
pub fn given(value: &str) -> Result<Option<&str>> {
    let value = value.trim();
    if value.len() > MAX_CURSOR_LEN {
        return Err(Error::invalid(
            FIELD,
            format!("longer than {MAX_CURSOR_LEN} bytes: pass back a cursor the server returned"),
        ));
    }
    Ok((!value.is_empty()).then_some(value))
}

/// Cursor after a story in a ListStories order.
pub fn story(pos: &StoryPos) -> String {
    encode("story", &format!("{}.{}", pos.key, pos.story))
}

/// Parses a story cursor.
pub fn parse_story(cursor: &str) -> Result<StoryPos> {
    let payload = decode("story", cursor)?;
    let bad = || Error::invalid(FIELD, "malformed story cursor");
    let (key, story) = payload.split_once('.').ok_or_else(bad)?;
    Ok(StoryPos {
        key: key.parse().map_err(|_| bad())?,
        story: story.parse().map_err(|_| bad())?,
    })
}

/// Cursor after relation number `next_offset` of the listing with
/// fingerprint `request`.
pub fn relation(request: &str, next_offset: usize) -> String {
    offset("relation", "relation", request, next_offset)
}

/// Parses a relation cursor; it must come from the same request.
pub fn parse_relation(request: &str, cursor: &str) -> Result<usize> {
    parse_offset(
        "relation",
        "relation",
        request,
        cursor,
        "cursor belongs to a different relation listing (entity, filter or order changed)",
    )
}

/// A cursor into a ranked listing read by offset, tied to the request it was
/// issued for by a checksum of the request's fingerprint (under `scope`).
fn offset(kind: &str, scope: &str, request: &str, next_offset: usize) -> String {
    encode(kind, &format!("{next_offset}.{}", check(scope, request)))
}

/// Parses an [`offset`] cursor; `changed` is the error when it was issued
/// for another request.
fn parse_offset(
    kind: &str,
    scope: &str,
    request: &str,
    cursor: &str,
    changed: &str,
) -> Result<usize> {
    let payload = decode(kind, cursor)?;
    let bad = || Error::invalid(FIELD, format!("malformed {kind} cursor"));
    let (offset, fingerprint) = payload.split_once('.').ok_or_else(bad)?;
    if fingerprint != check(scope, request) {
        return Err(Error::invalid_as(
            Invalid::CursorWrongListing,
            FIELD,
            changed,
        ));
    }
    offset.parse().map_err(|_| bad())
}

/// Cursor after search hit number `offset` (0-based) of the query with
/// fingerprint `query`.
pub fn search(query: &str, next_offset: usize) -> String {
    offset("search", "query", query, next_offset)
}

/// Parses a search cursor; it must come from the same query.
pub fn parse_search(query: &str, cursor: &str) -> Result<usize> {
    parse_offset(
        "search",
        "query",
        query,
        cursor,
        "cursor belongs to a different search (query or filter changed)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(parse_article(&article(42)).unwrap(), 42);
        let pos = ItemPos { seq: 3, index: 7 };
        assert_eq!(parse_item("mention", &item("mention", pos)).unwrap(), pos);
        let e = EntityPos {
            inverted_count: 9,
            name: "Name with | bar".into(),
            id: "person/x".into(),
        };
        assert_eq!(parse_entity(&entity(&e)).unwrap().pos, e);
        assert_eq!(parse_search("q", &search("q", 5)).unwrap(), 5);
        let story_pos = StoryPos {
            key: u64::MAX - 3,
            story: 17,
        };
        assert_eq!(parse_story(&story(&story_pos)).unwrap(), story_pos);
        assert_eq!(parse_relation("r", &relation("r", 9)).unwrap(), 9);
        assert!(parse_relation("other", &relation("r", 9)).is_err());
        // Longer than the stack buffer.
        let long = EntityPos {
            inverted_count: 1,
            name: "Ä".repeat(70),
            id: "org/long".into(),
        };
        assert_eq!(parse_entity(&entity(&long)).unwrap().pos, long);
        let max = ItemPos {
            seq: u64::MAX,
            index: u32::MAX,
        };
        assert_eq!(parse_item("quote", &item("quote", max)).unwrap(), max);
    }

    #[test]
    fn every_entity_cursor_fits_and_is_accepted_back() {
        // The longest id a slug allows, and names far longer than a cursor.
        let id = format!(
            "organization/{}",
            "x".repeat(crate::resolve::MAX_SLUG_BYTES)
        );
        for name in [
            "Ä".repeat(80),
            "Ä".repeat(81),
            "a".repeat(160),
            "a".repeat(161),
            "長".repeat(5000),
        ] {
            let pos = EntityPos {
                inverted_count: u32::MAX,
                name: name.clone(),
                id: id.clone(),
            };
            let cursor = entity(&pos);
            assert!(cursor.len() <= MAX_CURSOR_LEN, "{} bytes", cursor.len());
            let given = given(&cursor).unwrap().unwrap();
            let parsed = parse_entity(given).unwrap();
            assert_eq!(parsed.pos.id, id);
            assert_eq!(parsed.pos.inverted_count, u32::MAX);
            assert_eq!(parsed.name_cut, name.len() > CURSOR_NAME_BYTES);
            assert!(name.starts_with(&parsed.pos.name));
            assert!(parsed.pos.name.len() <= CURSOR_NAME_BYTES);
        }
    }

    #[test]
    fn the_cursor_length_limit_is_the_documented_one() {
        let at_limit = "A".repeat(MAX_CURSOR_LEN);
        assert!(given(&at_limit).unwrap().is_some());
        let error = given(&format!("{at_limit}A")).unwrap_err().to_string();
        assert!(error.contains("longer than 1024 bytes"), "{error}");
        assert_eq!(given("  ").unwrap(), None);
        // Past the id limit (512) but within the cursor limit: decoded, and
        // refused only because it is no cursor of ours.
        let error = parse_article(given(&"A".repeat(600)).unwrap().unwrap()).unwrap_err();
        assert!(error.to_string().contains("malformed cursor"), "{error}");
        // A well-formed cursor of exactly the limit decodes; one a byte
        // longer (checksum and all valid) is refused by its length alone.
        let sized = |len: usize| {
            (0..2 * len)
                .map(|n| encode("article", &"7".repeat(n)))
                .find(|c| c.len() == len)
                .expect("a cursor of that length")
        };
        assert!(decode("article", &sized(MAX_CURSOR_LEN)).is_ok());
        let over = sized(MAX_CURSOR_LEN + 2);
        let error = decode("article", &over).unwrap_err();
        assert!(error.to_string().contains("malformed cursor"), "{error}");
    }

    #[test]
    fn fast_paths_write_what_format_would() {
        for value in [0, 7, 10, 99, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = [0u8; 20];
            let n = decimal(value, &mut out);
            assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), value.to_string());
            let mut hex = [0u8; 16];
            hex16(value, &mut hex);
            assert_eq!(std::str::from_utf8(&hex).unwrap(), format!("{value:016x}"));
        }
        // The cursor format itself is unchanged: cursors handed out before
        // still parse.
        let raw = format!("mention|3.7|{:016x}", checksum("mention", "3.7"));
        assert_eq!(
            item("mention", ItemPos { seq: 3, index: 7 }),
            URL_SAFE_NO_PAD.encode(raw)
        );
        let mut old = 0xcbf2_9ce4_8422_2325_u64;
        for byte in "newscorpus-cursor-v1|mention|3.7".bytes() {
            old ^= u64::from(byte);
            old = old.wrapping_mul(0x0100_0000_01b3);
        }
        assert_eq!(checksum("mention", "3.7"), old);
    }

    #[test]
    fn rejects_forged_foreign_and_garbage() {
        let good = article(5);
        let mut raw = String::from_utf8(URL_SAFE_NO_PAD.decode(&good).unwrap()).unwrap();
        raw = raw.replacen("|5|", "|6|", 1);
        let forged = URL_SAFE_NO_PAD.encode(raw);
        assert!(parse_article(&forged).is_err());
        assert!(parse_article(&item("quote", ItemPos { seq: 1, index: 0 })).is_err());
        assert!(parse_article("not a cursor!").is_err());
        assert!(parse_article(&"A".repeat(5000)).is_err());
        assert!(parse_search("other", &search("q", 1)).is_err());
    }
}
