//! Bearer-token authorisation for the CorpusService.
//!
//! Tokens come from a file, one per line, each optionally scoped:
//! `read:TOKEN` may query, `write:TOKEN` (or a bare `TOKEN`) may also ingest.
//! Clients send `authorization: Bearer TOKEN`. Tokens are compared in
//! constant time and never logged; a missing or unknown token is
//! UNAUTHENTICATED, a read token on a write RPC PERMISSION_DENIED.

use std::path::Path;

use subtle::ConstantTimeEq;
use tonic::metadata::MetadataMap;

use crate::error::Error;

/// What an RPC needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Queries.
    Read,
    /// Ingest.
    Write,
}

/// The accepted tokens.
#[derive(Clone)]
pub struct Tokens {
    tokens: Vec<(Vec<u8>, Access)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the tokens themselves.
        write!(f, "Tokens({} configured)", self.tokens.len())
    }
}

impl Tokens {
    /// Parses a token file's text. Blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (access, token) = match line.split_once(':') {
                Some(("read", t)) => (Access::Read, t.trim()),
                Some(("write", t)) => (Access::Write, t.trim()),
                // `admin:TOKEN` must not become a write token whose value is
                // the whole line: a prefix is read or write, nothing else.
                Some((prefix, _)) => {
                    return Err(format!(
                        "line {}: unknown access {prefix:?} (a line is `read:TOKEN`, `write:TOKEN` or a bare TOKEN without ':')",
                        n + 1
                    ))
                }
                None => (Access::Write, line),
            };
            if token.len() < 16 || token.chars().any(char::is_whitespace) {
                return Err(format!(
                    "line {}: a token must be at least 16 characters with no spaces",
                    n + 1
                ));
            }
            tokens.push((token.as_bytes().to_vec(), access));
        }
        if tokens.is_empty() {
            return Err("the token file holds no token".into());
        }
        Ok(Tokens { tokens })
    }

    /// Reads a token file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read token file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The access a presented token grants, if any. Every configured token is
    /// compared, in constant time, so timing tells nothing about near misses.
    fn grant(&self, presented: &[u8]) -> Option<Access> {
        let mut best = None;
        for (token, access) in &self.tokens {
            let equal: bool = token.as_slice().ct_eq(presented).into();
            if equal {
                best = best.max(Some(*access));
            }
        }
        best
    }

    /// Checks a request's `authorization` header for `needed` access.
    pub fn authorize(&self, metadata: &MetadataMap, needed: Access) -> Result<(), Error> {
        let header = metadata.get("authorization").ok_or_else(|| {
            Error::Unauthenticated("missing authorization: Bearer <token>".into())
        })?;
        let value = header
            .to_str()
            .map_err(|_| Error::Unauthenticated("malformed authorization header".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| Error::Unauthenticated("authorization must be `Bearer <token>`".into()))?
            .trim();
        match self.grant(token.as_bytes()) {
            None => Err(Error::Unauthenticated("unknown token".into())),
            Some(granted) if granted < needed => Err(Error::PermissionDenied(
                "this token may only read; ingest needs a write token".into(),
            )),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(value: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("authorization", value.parse().unwrap());
        m
    }

    #[test]
    fn scopes_and_failures() {
        let tokens = Tokens::parse(
            "# comment\nread:reader-token-0123456789\nwrite:writer-token-0123456789\nplain-token-0123456789\n",
        )
        .unwrap();
        let read = metadata("Bearer reader-token-0123456789");
        assert!(tokens.authorize(&read, Access::Read).is_ok());
        assert!(matches!(
            tokens.authorize(&read, Access::Write),
            Err(Error::PermissionDenied(_))
        ));
        for t in ["writer-token-0123456789", "plain-token-0123456789"] {
            let m = metadata(&format!("Bearer {t}"));
            assert!(tokens.authorize(&m, Access::Write).is_ok());
        }
        for bad in ["Bearer nope", "Basic abc", "reader-token-0123456789"] {
            assert!(matches!(
                tokens.authorize(&metadata(bad), Access::Read),
                Err(Error::Unauthenticated(_))
            ));
        }
        assert!(tokens.authorize(&MetadataMap::new(), Access::Read).is_err());
        assert!(!format!("{tokens:?}").contains("reader"));
        assert_eq!(
            format!("{tokens:?}"),
            format!("Tokens({} configured)", tokens.tokens.len())
        );
    }

    #[test]
    fn rejects_weak_or_empty_files() {
        assert!(Tokens::parse("short").is_err());
        // At least 16 characters: 16 passes, 15 does not.
        assert!(Tokens::parse(&"x".repeat(16)).is_ok());
        assert!(Tokens::parse(&"x".repeat(15)).is_err());
        assert!(Tokens::parse(&format!("read:{}", "y".repeat(15))).is_err());
        // No whitespace inside a token, however long.
        let error = Tokens::parse("a token with spaces in it, long enough").unwrap_err();
        assert!(error.contains("no spaces"), "{error}");
        assert!(Tokens::parse("# nothing\n\n").is_err());
        let error = Tokens::parse("admin:admin-token-0123456789").unwrap_err();
        assert!(error.contains("unknown access \"admin\""), "{error}");
    }
}
