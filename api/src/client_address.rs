//! The address a request comes from: the peer's, unless the peer is one of the operator's
//! reverse proxies, which name the client in `X-Forwarded-For`. Throttles count by it: behind
//! a proxy every peer address is the proxy's, so counting by peer would let one person's
//! failed logins lock every merchant out.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client's address. `X-Forwarded-For` is read only from a trusted peer, and from its
/// right end: each proxy appends the address it was reached from, so the first entry from the
/// right that is not a trusted proxy is the client; entries left of it are the client's own
/// say, and anyone can write them.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok());
    Some(client_of(peer, forwarded, trusted))
}

fn client_of<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // Unreadable: nothing left of it can be believed, so the last proxy's word stands.
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1` or `[2001:db8::1]:5123`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    let host = match hop.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?.0,
        None => hop.rsplit_once(':')?.0,
    };
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn client(peer: &str, forwarded: &[&str], trusted: &[&str]) -> IpAddr {
        client_of(ip(peer), forwarded.iter().copied(), &nets(trusted))
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        assert_eq!(
            client("198.51.100.4", &["203.0.113.7"], &[]),
            ip("198.51.100.4")
        );
        assert_eq!(
            client("198.51.100.4", &["203.0.113.7"], &["10.0.0.0/8"]),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            client("10.0.0.2", &["203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
        // A client writing its own header gains nothing: the proxy appended the real address.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4, 203.0.113.7, 10.0.0.9"], &trusted),
            ip("203.0.113.7")
        );
        // Several headers read as one list, in order.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4", "203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn without_a_readable_header_the_last_trusted_address_stands() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(client("10.0.0.2", &[], &trusted), ip("10.0.0.2"));
        assert_eq!(
            client("10.0.0.2", &["203.0.113.7, unknown"], &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client("10.0.0.2", &["unknown, 10.0.0.9"], &trusted),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn hops_may_carry_ports_and_brackets() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            client("10.0.0.2", &["203.0.113.7:5123"], &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client("10.0.0.2", &["[2001:db8::1]:5123"], &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client("10.0.0.2", &["2001:db8::1"], &trusted),
            ip("2001:db8::1")
        );
    }
}
