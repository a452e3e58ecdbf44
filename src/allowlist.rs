//! Where webhooks may go: the hosts and networks a callback URL may name (`--webhook-allow`,
//! `WABASIM_WEBHOOK_ALLOW`). Checked when a URL is set (Graph's `override_callback_uri`, the
//! control API's app `webhook_url`) and again before every delivery, since a fixture's URLs
//! are set without a request.
//!
//! A list is entries separated by commas or spaces:
//! - `*`: anywhere (the default for a server listening on loopback only);
//! - `loopback`: 127.0.0.0/8, ::1 and the name `localhost` (the default for a server listening
//!   beyond loopback: a caller who reaches it cannot make it connect elsewhere);
//! - an address or a network: `10.1.2.3`, `10.0.0.0/8`, `::1`, `fd00::/8`;
//! - a host name, exactly (`receiver`, `hooks.example.com`), or with its subdomains
//!   (`*.example.com`).
//!
//! A host name is allowed only when it is listed by name (or is `localhost` under
//! `loopback`): networks match addresses written in the URL, and no name is resolved to
//! decide, so a name cannot be pointed elsewhere between the check and the call. Imports
//! nothing from the crate.

use std::net::IpAddr;

/// The hosts and networks callback URLs may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowlist {
    any: bool,
    nets: Vec<(IpAddr, u8)>,
    names: Vec<String>,
    /// `*.example.com` entries, kept as `.example.com`.
    suffixes: Vec<String>,
    /// As given, for messages.
    text: String,
}

impl Default for Allowlist {
    fn default() -> Self {
        Allowlist::any()
    }
}

impl Allowlist {
    /// Anywhere.
    pub fn any() -> Allowlist {
        Allowlist {
            any: true,
            nets: Vec::new(),
            names: Vec::new(),
            suffixes: Vec::new(),
            text: "*".into(),
        }
    }

    /// Loopback only.
    pub fn loopback() -> Allowlist {
        Allowlist::parse("loopback").expect("a valid list")
    }

    /// The default for a server listening on `listen`: anywhere on loopback, loopback only
    /// beyond it.
    pub fn default_for(listen: IpAddr) -> Allowlist {
        if listen.is_loopback() {
            Allowlist::any()
        } else {
            Allowlist::loopback()
        }
    }

    /// Reads a list (see the module documentation); `Err` says which entry is not one.
    pub fn parse(text: &str) -> Result<Allowlist, String> {
        let mut list = Allowlist {
            any: false,
            nets: Vec::new(),
            names: Vec::new(),
            suffixes: Vec::new(),
            text: text.trim().to_string(),
        };
        for entry in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let lower = entry.to_ascii_lowercase();
            if lower.contains("://") {
                return Err(format!(
                    "{entry:?} is a URL: give its host (e.g. receiver, 10.0.0.5 or 10.0.0.0/8)"
                ));
            } else if lower == "*" {
                list.any = true;
            } else if lower == "loopback" {
                list.nets.push((IpAddr::from([127, 0, 0, 0]), 8));
                list.nets
                    .push((IpAddr::from(std::net::Ipv6Addr::LOCALHOST), 128));
                list.names.push("localhost".into());
            } else if let Some((addr, bits)) = lower.split_once('/') {
                let addr: IpAddr = addr
                    .trim_matches(['[', ']'])
                    .parse()
                    .map_err(|_| format!("{entry:?} is not a network (e.g. 10.0.0.0/8)"))?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let bits: u8 =
                    bits.parse().ok().filter(|b| *b <= max).ok_or_else(|| {
                        format!("{entry:?}: the prefix length must be 0 to {max}")
                    })?;
                list.nets.push((addr, bits));
            } else if let Ok(addr) = lower.trim_matches(['[', ']']).parse::<IpAddr>() {
                list.nets
                    .push((addr, if addr.is_ipv4() { 32 } else { 128 }));
            } else if let Some(domain) = lower.strip_prefix("*.") {
                if !is_host_name(domain) {
                    return Err(format!("{entry:?} is not a host name pattern"));
                }
                list.suffixes.push(format!(".{domain}"));
            } else if is_host_name(&lower) {
                list.names.push(lower.trim_end_matches('.').to_string());
            } else {
                return Err(format!(
                    "{entry:?} is not a host, an address, a network, `loopback` or `*`"
                ));
            }
        }
        if !list.any && list.nets.is_empty() && list.names.is_empty() && list.suffixes.is_empty() {
            return Err("the list is empty: give `loopback`, hosts, networks or `*`".into());
        }
        Ok(list)
    }

    /// Whether the list allows everything.
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// Whether a callback URL's host is allowed; `Err` is the reason, naming the flag.
    pub fn check_url(&self, url: &str) -> Result<(), String> {
        if self.any {
            return Ok(());
        }
        let host = url
            .trim()
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.host().map(str::to_string))
            .ok_or_else(|| format!("{url:?} names no host"))?;
        if self.allows_host(&host) {
            Ok(())
        } else {
            Err(format!(
                "callback host {host} is not allowed by this server's webhook allowlist ({}); see --webhook-allow",
                self.text
            ))
        }
    }

    /// Whether a host (a name or an address, IPv6 in brackets or not) is allowed.
    pub fn allows_host(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let host = host
            .trim_matches(['[', ']'])
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if let Ok(addr) = host.parse::<IpAddr>() {
            let addr = match addr {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
                v4 => v4,
            };
            return self
                .nets
                .iter()
                .any(|(net, bits)| contains(*net, *bits, addr));
        }
        self.names.contains(&host) || self.suffixes.iter().any(|s| host.ends_with(s))
    }
}

fn is_host_name(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn contains(net: IpAddr, bits: u8, addr: IpAddr) -> bool {
    match (net, addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_networks_and_names() {
        let l = Allowlist::loopback();
        assert!(l.check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(l.check_url("http://localhost/hook").is_ok());
        assert!(l.check_url("http://[::1]:8080/").is_ok());
        let e = l.check_url("http://169.254.169.254/latest").unwrap_err();
        assert!(e.contains("--webhook-allow"), "{e}");
        assert!(l.check_url("http://example.com/").is_err());
        assert!(l.check_url("http://[::ffff:10.0.0.1]/").is_err());

        let l = Allowlist::parse("10.0.0.0/8, receiver *.hooks.test").unwrap();
        assert!(l.allows_host("10.2.3.4"));
        assert!(!l.allows_host("11.0.0.1"));
        assert!(l.allows_host("RECEIVER"));
        assert!(l.allows_host("a.hooks.test"));
        assert!(!l.allows_host("hooks.test.evil"));
        assert!(!l.allows_host("127.0.0.1"));
        assert!(l.allows_host("::ffff:10.0.0.1"));

        assert!(Allowlist::parse("*").unwrap().is_any());
        assert!(Allowlist::parse("").is_err());
        assert!(Allowlist::parse("10.0.0.0/40").is_err());
        assert!(Allowlist::parse("http://x").is_err());
        assert!(Allowlist::default_for([0, 0, 0, 0].into()) == Allowlist::loopback());
        assert!(Allowlist::default_for([127, 0, 0, 1].into()).is_any());
    }
}
