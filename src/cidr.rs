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
    fn allowed_cidr_checks() {
        assert!(check_allowed("203.0.113.0/24").is_ok());
        assert!(check_allowed("2001:db8::/32").is_ok());
        assert!(check_allowed("203.0.113.5/24").is_err());
        assert!(check_allowed("0.0.0.0/0").is_err());
        assert!(check_allowed("203.0.113.0").is_err());
        assert!(check_allowed("10.0.0.0/33").is_err());
    }
}
