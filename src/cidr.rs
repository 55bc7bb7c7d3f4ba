//! CIDR parsing and arithmetic: validation of configured and given CIDRs, containment, private
//! ranges, and the `--allowed-cidr` checks of the fixes.

use std::net::IpAddr;

/// A parsed CIDR: the network address as a 128-bit number, its prefix length, the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    bits: u128,
    len: u8,
    v6: bool,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, len) = text.split_once('/')?;
        let len: u8 = len.parse().ok()?;
        match addr.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) if len <= 32 => Some(Cidr {
                bits: u128::from(u32::from(a)),
                len,
                v6: false,
            }),
            IpAddr::V6(a) if len <= 128 => Some(Cidr {
                bits: u128::from(a),
                len,
                v6: true,
            }),
            _ => None,
        }
    }

    fn width(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }

    fn mask(&self, len: u8) -> u128 {
        let width = u32::from(self.width());
        let host = width - u32::from(len);
        let all = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host) - 1)
        }
    }

    /// The address has no bits set beyond the prefix (`10.0.0.0/16`, not `10.0.0.1/16`).
    pub fn is_network(&self) -> bool {
        self.bits == self.bits & self.mask(self.len)
    }

    /// `other` lies inside `self`.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.v6 == other.v6
            && self.len <= other.len
            && (self.bits & self.mask(self.len)) == (other.bits & self.mask(self.len))
    }

    pub fn is_world(&self) -> bool {
        self.len == 0
    }

    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    pub fn is_v6(&self) -> bool {
        self.v6
    }

    /// The whole internet of this block's family: 0.0.0.0/0 or ::/0.
    pub fn world(&self) -> Cidr {
        Cidr {
            bits: 0,
            len: 0,
            v6: self.v6,
        }
    }

    /// The `n`-th subnet of prefix length `len` inside this network, as text.
    pub fn subnet(&self, len: u8, n: u32) -> Option<String> {
        if self.v6 || len < self.len || len > 32 {
            return None;
        }
        let count = 1u64 << (len - self.len);
        if u64::from(n) >= count {
            return None;
        }
        let base = (self.bits & self.mask(self.len)) as u32;
        let addr = base | (n << (32 - u32::from(len)));
        Some(format!("{}/{len}", std::net::Ipv4Addr::from(addr)))
    }
}

const PRIVATE: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
];

/// `cidr` lies inside one of `ranges`.
pub fn within_any(cidr: &str, ranges: &[String]) -> bool {
    let Some(c) = Cidr::parse(cidr) else {
        return false;
    };
    ranges
        .iter()
        .filter_map(|r| Cidr::parse(r))
        .any(|r| r.contains(&c))
}

/// `cidr` lies inside a private range (RFC 1918, RFC 6598, ULA).
pub fn private(cidr: &str) -> bool {
    within_any(
        cidr,
        &PRIVATE.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )
}

/// A trusted source as NI-003 sees it: inside a trusted CIDR, or private when none is given.
pub fn trusted(cidr: &str, trusted_cidrs: &[String]) -> bool {
    if trusted_cidrs.is_empty() {
        private(cidr)
    } else {
        within_any(cidr, trusted_cidrs)
    }
}

pub fn is_world(cidr: &str) -> bool {
    matches!(cidr, "0.0.0.0/0" | "::/0")
}

impl Cidr {
    /// The first and last address of the block, as numbers.
    fn span(&self) -> (u128, u128) {
        let start = self.bits & self.mask(self.len);
        let host = u32::from(self.width() - self.len);
        let size_minus_one = if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        (start, start | size_minus_one)
    }
}

/// `blocks` (one family) together cover every address of `target` (a block of that family).
/// Two CIDR blocks are nested or disjoint, so after sorting the blocks that meet `target`,
/// coverage is a walk from its first address to its last with no gap.
pub fn covers(target: &Cidr, blocks: &[Cidr]) -> bool {
    let (first, last) = target.span();
    let mut spans: Vec<(u128, u128)> = blocks
        .iter()
        .filter(|b| b.v6 == target.v6)
        .map(Cidr::span)
        .filter(|&(s, e)| e >= first && s <= last)
        .collect();
    spans.sort_unstable();
    let mut next = first;
    for (s, e) in spans {
        if s > next {
            return false;
        }
        if e >= last {
            return true;
        }
        next = next.max(e + 1);
    }
    false
}

/// The ranges among `cidrs` that together make them cover the whole IPv4 or the whole IPv6
/// internet: in each covered family, the widest ranges (those no other range contains).
/// Empty when neither family is covered. Malformed ranges cover nothing. The same decision
/// and the same ranges as `world_cover` in `policies/lib/net.rego`.
pub fn world_cover<S: AsRef<str>>(cidrs: &[S]) -> Vec<String> {
    let parsed: Vec<(String, Cidr)> = cidrs
        .iter()
        .filter_map(|c| Cidr::parse(c.as_ref()).map(|p| (c.as_ref().to_string(), p)))
        .collect();
    let mut out = Vec::new();
    for v6 in [false, true] {
        let family: Vec<Cidr> = parsed
            .iter()
            .filter(|(_, c)| c.v6 == v6)
            .map(|(_, c)| *c)
            .collect();
        let Some(any) = family.first() else {
            continue;
        };
        if !covers(&any.world(), &family) {
            continue;
        }
        for (text, c) in &parsed {
            let widest = c.v6 == v6 && !family.iter().any(|o| o.len < c.len && o.contains(c));
            if widest && !out.contains(text) {
                out.push(text.clone());
            }
        }
    }
    out.sort();
    out
}

/// The ranges to remove from `cidrs` so that they no longer cover the internet: the ranges
/// of `world_cover`, then, while what remains still covers it, the `world_cover` of what
/// remains (0.0.0.0/0 beside 0.0.0.0/1 and 128.0.0.0/1 takes two rounds). Empty when
/// `cidrs` do not cover the internet.
pub fn world_openers<S: AsRef<str>>(cidrs: &[S]) -> Vec<String> {
    let mut remaining: Vec<String> = cidrs.iter().map(|c| c.as_ref().to_string()).collect();
    let mut out = Vec::new();
    loop {
        let round = world_cover(&remaining);
        if round.is_empty() {
            break;
        }
        remaining.retain(|c| !round.contains(c));
        out.extend(round);
    }
    out.sort();
    out.dedup();
    out
}

/// Why `--allowed-cidr` (or `--vpc-cidr`) is not acceptable, if it is not.
pub fn check_allowed(cidr: &str) -> Result<(), String> {
    let Some(c) = Cidr::parse(cidr) else {
        return Err(format!(
            "`{cidr}` is not an IPv4 or IPv6 CIDR such as 203.0.113.0/24"
        ));
    };
    if !c.is_network() {
        return Err(format!(
            "`{cidr}` has host bits set: give the network address (AWS refuses it otherwise)"
        ));
    }
    if c.is_world() {
        return Err(format!(
            "`{cidr}` is the whole internet: name the range the workload is reached from"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_and_ranges() {
        let vpc = Cidr::parse("10.0.0.0/16").expect("cidr");
        assert!(vpc.contains(&Cidr::parse("10.0.1.0/24").expect("cidr")));
        assert!(!vpc.contains(&Cidr::parse("10.1.0.0/24").expect("cidr")));
        assert!(private("172.20.0.0/16") && !private("203.0.113.0/24") && private("fd00::/8"));
        assert!(trusted("203.0.113.0/25", &["203.0.113.0/24".into()]));
        assert!(!trusted("10.0.0.0/8", &["203.0.113.0/24".into()]));
        assert_eq!(vpc.subnet(24, 1).as_deref(), Some("10.0.1.0/24"));
        assert_eq!(vpc.subnet(24, 256), None);
    }

    #[test]
    fn world_cover_is_the_union_of_ranges() {
        assert_eq!(world_cover(&["0.0.0.0/0", "10.0.0.0/8"]), ["0.0.0.0/0"]);
        assert_eq!(
            world_cover(&["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"]),
            ["0.0.0.0/1", "128.0.0.0/1"]
        );
        assert_eq!(world_cover(&["::/1", "8000::/1"]), ["8000::/1", "::/1"]);
        assert_eq!(
            world_cover(&["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"]).len(),
            4
        );
        assert!(world_cover(&["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]).is_empty());
        assert!(world_cover(&["0.0.0.0/1", "8000::/1"]).is_empty());
        assert!(world_cover(&["0.0.0.0/1", "128.0.0.0/x"]).is_empty());
        assert!(world_cover::<&str>(&[]).is_empty());
        // Down to the last address.
        let mut ranges: Vec<String> = (1..=32u32)
            .map(|len| {
                let start = if len == 1 { 0 } else { u32::MAX << (33 - len) };
                format!("{}/{len}", std::net::Ipv4Addr::from(start))
            })
            .collect();
        assert!(world_cover(&ranges).is_empty(), "{ranges:?}");
        ranges.push("255.255.255.255/32".into());
        assert_eq!(world_cover(&ranges).len(), 33);
        assert!(
            world_cover(&[
                "::/1",
                "8000::/2",
                "c000::/3",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"
            ])
            .is_empty()
        );
    }

    #[test]
    fn openers_peel_until_the_internet_is_closed() {
        assert_eq!(
            world_openers(&["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"]),
            ["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"]
        );
        assert_eq!(world_openers(&["0.0.0.0/0", "::/1"]), ["0.0.0.0/0"]);
        assert!(world_openers(&["0.0.0.0/1"]).is_empty());
        let half = Cidr::parse("128.0.0.0/1").expect("cidr");
        assert!(covers(
            &half,
            &[
                Cidr::parse("128.0.0.0/2").expect("cidr"),
                Cidr::parse("192.0.0.0/2").expect("cidr")
            ]
        ));
        assert!(!covers(&half, &[Cidr::parse("128.0.0.0/2").expect("cidr")]));
    }

    #[test]
    fn allowed_cidr_checks() {
        assert!(check_allowed("203.0.113.0/24").is_ok());
        assert!(check_allowed("2001:db8::/32").is_ok());
        assert!(check_allowed("203.0.113.5/24").is_err());
        assert!(check_allowed("0.0.0.0/0").is_err());
        assert!(check_allowed("203.0.113.0").is_err());
        assert!(check_allowed("10.0.0.0/33").is_err());
    }
}
