//! Which journal entries a read wants: [`RequestFilter`], built in Rust or read from the control
//! API's query string or JSON body. It lives with the facades, not in the journal, because the
//! facade and operation names it may take are checked against the facade list
//! (`RequestFilter::check`): a name no facade has would match nothing, and a test asserting
//! "never called" would pass for the wrong reason. The journal takes any predicate.

use super::facade;
use crate::clock::Timestamp;
use crate::journal::Entry;

/// Which entries a read wants. Every field narrows; an empty filter matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestFilter {
    pub facade: Option<String>,
    pub operation: Option<String>,
    pub method: Option<String>,
    /// An exact path, or a pattern where `*` stands for one path segment or part of it
    /// (`/v23.0/*/register`).
    pub path: Option<String>,
    pub status: Option<StatusMatch>,
    /// World time, inclusive.
    pub since: Option<Timestamp>,
    /// World time, exclusive.
    pub until: Option<Timestamp>,
    /// Only entries recorded after this id (a cursor for polling).
    pub after: Option<u64>,
    /// Only entries recorded before this id (a cursor for paging back through older ones).
    pub before: Option<u64>,
    /// Only unmatched requests (`true`) or only matched ones (`false`).
    pub unmatched: Option<bool>,
    /// Only answers a scripted fault shaped (`true`) or none did (`false`).
    pub faulted: Option<bool>,
    /// An exact error code (`100/2388103`) or its code part (`100`).
    pub error: Option<String>,
}

/// A status, or a class of statuses (`4xx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMatch {
    Exact(u16),
    Class(u16),
}

impl StatusMatch {
    pub fn parse(text: &str) -> Result<StatusMatch, String> {
        let t = text.trim().to_ascii_lowercase();
        if let Some(c) = t.strip_suffix("xx")
            && let Ok(d) = c.parse::<u16>()
            && (1..=5).contains(&d)
        {
            return Ok(StatusMatch::Class(d));
        }
        match t.parse::<u16>() {
            Ok(s) if (100..=599).contains(&s) => Ok(StatusMatch::Exact(s)),
            _ => Err(format!(
                "invalid status {text:?}: give a status such as 400, or a class such as 4xx"
            )),
        }
    }

    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusMatch::Exact(s) => s == status,
            StatusMatch::Class(c) => status / 100 == c,
        }
    }
}

impl RequestFilter {
    pub fn new() -> Self {
        Self::default()
    }
    /// Only requests to this facade (`graph`, `cams`). Panics on any other name: a filter
    /// that cannot match would make a test pass for the wrong reason.
    #[track_caller]
    pub fn facade(self, facade: &str) -> Self {
        RequestFilter {
            facade: Some(facade.to_string()),
            ..self
        }
        .checked()
    }
    /// Only requests of this operation (a facade's operation name, `unmatched` or
    /// `unclassified`). Panics on an unknown name (a typo would never match).
    #[track_caller]
    pub fn operation(self, operation: &str) -> Self {
        RequestFilter {
            operation: Some(operation.to_string()),
            ..self
        }
        .checked()
    }

    /// The filter, if its names are known; panics where the caller named one that is not.
    #[track_caller]
    fn checked(self) -> Self {
        if let Err(e) = self.check() {
            panic!("{e}");
        }
        self
    }

    /// Checks the values only known names may take (a filter built field by field).
    pub fn check(&self) -> Result<(), String> {
        check_filter(self)
    }
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_string());
        self
    }
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(StatusMatch::Exact(status));
        self
    }
    pub fn unmatched(mut self) -> Self {
        self.unmatched = Some(true);
        self
    }

    /// Reads a filter from `(name, value)` pairs: a query string, or a JSON body's fields.
    /// `namespace` is not a filter of one journal; the control API reads it before.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<RequestFilter, String> {
        let f = Self::read_pairs(pairs)?;
        f.check()?;
        Ok(f)
    }

    fn read_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<RequestFilter, String> {
        let mut f = RequestFilter::default();
        for (key, value) in pairs {
            let v = value.trim().to_string();
            match key {
                "facade" => f.facade = Some(v),
                "operation" => f.operation = Some(v),
                "method" => f.method = Some(v.to_ascii_uppercase()),
                "path" => f.path = Some(v),
                "status" => f.status = Some(StatusMatch::parse(&v)?),
                "since" => f.since = Some(Timestamp::parse_rfc3339(&v)?),
                "until" => f.until = Some(Timestamp::parse_rfc3339(&v)?),
                "after" => {
                    f.after = Some(
                        v.parse()
                            .map_err(|_| format!("\"after\" must be a request id, got {v:?}"))?,
                    )
                }
                "before" => {
                    f.before = Some(
                        v.parse()
                            .map_err(|_| format!("\"before\" must be a request id, got {v:?}"))?,
                    )
                }
                "unmatched" => f.unmatched = Some(parse_bool("unmatched", &v)?),
                "faulted" => f.faulted = Some(parse_bool("faulted", &v)?),
                "error" => f.error = Some(v),
                "namespace" | "limit" => {}
                other => {
                    return Err(format!(
                        "unknown filter {other:?}; filters are facade, operation, method, path, status, namespace, since, until, after, before, unmatched, faulted, error, limit"
                    ));
                }
            }
        }
        Ok(f)
    }

    pub fn matches(&self, e: &Entry) -> bool {
        self.facade.as_deref().is_none_or(|f| f == e.facade)
            && self.operation.as_deref().is_none_or(|o| o == e.operation)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(e.method.as_str()))
            && self
                .path
                .as_deref()
                .is_none_or(|p| path_matches(p, &e.path))
            && self.status.is_none_or(|s| s.matches(e.status))
            && self.since.is_none_or(|t| e.at >= t)
            && self.until.is_none_or(|t| e.at < t)
            && self.after.is_none_or(|a| e.seq > a)
            && self.before.is_none_or(|b| e.seq < b)
            && self.unmatched.is_none_or(|u| u == e.is_unmatched())
            && self.faulted.is_none_or(|f| f == e.fault.is_some())
            && self.error.as_deref().is_none_or(|want| {
                e.error
                    .as_deref()
                    .is_some_and(|got| got == want || got.split('/').next() == Some(want))
            })
    }

    /// A short human description, for verification failures ("operation=register").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        };
        add("facade", self.facade.clone());
        add("operation", self.operation.clone());
        add("method", self.method.clone());
        add("path", self.path.clone());
        add(
            "status",
            self.status.map(|s| match s {
                StatusMatch::Exact(s) => s.to_string(),
                StatusMatch::Class(c) => format!("{c}xx"),
            }),
        );
        add("since", self.since.map(|t| t.rfc3339()));
        add("until", self.until.map(|t| t.rfc3339()));
        add("after", self.after.map(|a| a.to_string()));
        add("before", self.before.map(|b| b.to_string()));
        add("unmatched", self.unmatched.map(|u| u.to_string()));
        add("faulted", self.faulted.map(|u| u.to_string()));
        add("error", self.error.clone());
        if parts.is_empty() {
            "any request".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("\"{name}\" must be true or false, got {v:?}")),
    }
}

/// `*` matches any run of characters within one path segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    if !pattern.contains('*') {
        return pattern == path;
    }
    let ps: Vec<&str> = pattern.split('/').collect();
    let xs: Vec<&str> = path.split('/').collect();
    ps.len() == xs.len() && ps.iter().zip(&xs).all(|(p, x)| segment_matches(p, x))
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Checks the facade and operation a journal filter names: a name no facade has would match
/// nothing, and a test asserting "never called" would pass for the wrong reason.
fn check_filter(filter: &RequestFilter) -> Result<(), String> {
    use crate::journal::{UNCLASSIFIED, UNMATCHED};
    if let Some(f) = &filter.facade
        && facade::by_id(f).is_none()
    {
        return Err(format!(
            "unknown facade {f:?}; the journal records {} (control-API calls are not recorded)",
            facade::ids().join(", ")
        ));
    }
    if let Some(o) = &filter.operation
        && !(facade::is_operation(o) || o == UNMATCHED || o == UNCLASSIFIED)
    {
        let known: Vec<String> = facade::FACADES
            .iter()
            .map(|f| format!("{}: {}", f.id(), f.operations().join(", ")))
            .collect();
        return Err(format!(
            "unknown operation {o:?}; operations by facade: {}; and {UNMATCHED}, {UNCLASSIFIED}",
            known.join("; ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Journal;
    use crate::journal::tests::entry;

    #[test]
    fn filters() {
        let j = Journal::new(10);
        j.record(entry("/v23.0/1/register", "register", 200, ""));
        j.record(entry("/v23.0/2/register", "register", 400, ""));
        j.record(entry("/v23.0/2/registr", "unmatched", 400, ""));
        let count = |f: RequestFilter| j.count(|e| f.matches(e));
        assert_eq!(count(RequestFilter::new().operation("register")), 2);
        assert_eq!(count(RequestFilter::new().path("/v23.0/*/register")), 2);
        assert_eq!(count(RequestFilter::new().path("/v23.0/*/reg*")), 3);
        assert_eq!(count(RequestFilter::new().path("/v23.0/2/register/")), 1);
        assert_eq!(count(RequestFilter::new().status(400)), 2);
        assert_eq!(count(RequestFilter::new().unmatched()), 1);
        let f = RequestFilter::from_pairs([("status", "4xx".to_string())]).unwrap();
        assert_eq!(j.count(|e| f.matches(e)), 2);
        let f = RequestFilter::from_pairs([("after", "2".to_string())]).unwrap();
        assert_eq!(j.count(|e| f.matches(e)), 1);
        assert!(RequestFilter::from_pairs([("colour", "red".to_string())]).is_err());
        assert!(RequestFilter::from_pairs([("status", "7xx".to_string())]).is_err());
    }

    #[test]
    fn names_no_facade_has_are_refused() {
        assert!(RequestFilter::from_pairs([("operation", "regsiter".to_string())]).is_err());
        assert!(RequestFilter::from_pairs([("facade", "sms".to_string())]).is_err());
        let typo = std::panic::catch_unwind(|| RequestFilter::new().operation("regsiter"));
        assert!(typo.is_err());
    }
}
