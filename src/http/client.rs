//! Who is on the other end: the client's address for rate limits and logs. Behind a reverse
//! proxy every connection comes from the proxy, so the address it forwards
//! (`X-Forwarded-For`, or `Forwarded: for=`) is used, but only when the connection comes
//! from a proxy listed in `server.trusted_proxies`; anyone else could write those headers.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use poem::{FromRequest, Request, RequestBody, http::HeaderMap};

/// The client's address, as `request_context` worked it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<'a> FromRequest<'a> for ClientIp {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(req
            .extensions()
            .get::<ClientIp>()
            .copied()
            .unwrap_or_else(|| ClientIp(peer(req))))
    }
}

/// The proxies whose forwarded addresses are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Addresses or networks, e.g. `127.0.0.1`, `10.0.0.0/8`, `::1`.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| entry.to_string())
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of `req`: the connection's peer, or, when that is a trusted proxy, the
    /// nearest forwarded address that is not one.
    pub fn client_of(&self, req: &Request) -> IpAddr {
        self.client_behind(peer(req), req.headers())
    }

    fn client_behind(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let header = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
        let forwarded: Vec<IpAddr> = if headers.contains_key("x-forwarded-for") {
            header("x-forwarded-for")
                .flat_map(|list| list.split(','))
                .filter_map(parse_hop)
                .collect()
        } else {
            header("forwarded")
                .flat_map(|value| value.split(','))
                .filter_map(|element| {
                    element
                        .split(';')
                        .find_map(|pair| pair.trim().strip_prefix("for="))
                        .and_then(parse_hop)
                })
                .collect()
        };
        // Each proxy appends the address it saw: the rightmost untrusted one is the client.
        forwarded
            .into_iter()
            .rev()
            .find(|hop| !self.trusts(*hop))
            .unwrap_or(peer)
    }
}

/// One hop of a forwarding header: `203.0.113.7`, `"[2001:db8::1]:4711"`, `198.51.100.2:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(address) = hop.parse() {
        return Some(address);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

fn peer(req: &Request) -> IpAddr {
    req.remote_addr()
        .as_socket_addr()
        .map(|address| address.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(proxies: &TrustedProxies, peer: &str, headers: &[(&'static str, &str)]) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        proxies
            .client_behind(peer.parse().unwrap(), &map)
            .to_string()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["127.0.0.1".into(), "10.0.0.0/8".into()]).unwrap();
        let chain = [("x-forwarded-for", "203.0.113.7, 10.1.2.3")];
        assert_eq!(client(&proxies, "127.0.0.1", &chain), "203.0.113.7");
        // A client that writes its own header cannot hide behind it: the proxy appends.
        let spoofed = [("x-forwarded-for", "1.2.3.4, 203.0.113.7")];
        assert_eq!(client(&proxies, "127.0.0.1", &spoofed), "203.0.113.7");
        let direct = [("x-forwarded-for", "203.0.113.7")];
        assert_eq!(client(&proxies, "198.51.100.9", &direct), "198.51.100.9");
        let standard = [("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")];
        assert_eq!(client(&proxies, "127.0.0.1", &standard), "2001:db8::1");
        assert_eq!(
            client(&TrustedProxies::default(), "127.0.0.1", &chain),
            "127.0.0.1"
        );
        assert!(TrustedProxies::parse(&["not-an-address".into()]).is_err());
    }
}
