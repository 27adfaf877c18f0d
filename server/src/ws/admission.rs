//! Who may open a websocket, decided before the upgrade: the page's origin, the token (from
//! the query, a header or the subprotocol), and whether the address has spent its allowance
//! of failed attempts.

use axum::http::{HeaderMap, header};

use crate::limits::net::NetLimits;

/// The subprotocol the server answers with. A browser cannot set headers on a websocket, so
/// the web client offers its token as a second subprotocol, `werkplaats-token.TOKEN`, which
/// keeps it out of URLs (and so out of proxy and server access logs).
pub const PROTOCOL: &str = "werkplaats";
const TOKEN_PROTOCOL_PREFIX: &str = "werkplaats-token.";

/// Whether a page from the request's `Origin` may open a websocket. No `Origin` is a
/// non-browser client (stock Yjs clients, scripts): allowed, since a browser always sends one.
/// A browser page may connect from our own origin or one on `--allowed-origin`; any other page
/// could otherwise use a leaked link from inside a visitor's browser.
pub fn origin_allowed(headers: &HeaderMap, limits: &NetLimits) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if limits
        .allowed_origins
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// The token, wherever the client put it: the `token` query parameter (stock y-websocket
/// clients), `Authorization: Bearer` (other non-browser clients) or the subprotocol.
pub fn token(query: Option<String>, headers: &HeaderMap) -> Option<String> {
    if query.is_some() {
        return query;
    }
    if let Some(bearer) = crate::http::bearer_token(headers) {
        return Some(bearer.to_owned());
    }
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use clap::Parser;

    fn limits(allowed: &[&str]) -> NetLimits {
        let mut config = crate::Config::parse_from(["werkplaats"]);
        config.net.allowed_origins = allowed.iter().map(|s| s.to_string()).collect();
        config.net
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn same_origin_and_no_origin_pass_foreign_ones_do_not() {
        let none = limits(&[]);
        let host = (header::HOST, "werkplaats.example:8080");
        assert!(origin_allowed(&headers(std::slice::from_ref(&host)), &none));
        assert!(origin_allowed(
            &headers(&[
                host.clone(),
                (header::ORIGIN, "https://werkplaats.example:8080")
            ]),
            &none
        ));
        assert!(!origin_allowed(
            &headers(&[host.clone(), (header::ORIGIN, "https://evil.example")]),
            &none
        ));
        assert!(!origin_allowed(
            &headers(&[host.clone(), (header::ORIGIN, "null")]),
            &none
        ));
        let listed = limits(&["https://intranet.example"]);
        assert!(origin_allowed(
            &headers(&[host, (header::ORIGIN, "https://intranet.example")]),
            &listed
        ));
    }

    #[test]
    fn the_token_comes_from_query_header_or_subprotocol() {
        assert_eq!(
            token(Some("q".into()), &HeaderMap::new()).as_deref(),
            Some("q")
        );
        let bearer = headers(&[(header::AUTHORIZATION, "Bearer abc")]);
        assert_eq!(token(None, &bearer).as_deref(), Some("abc"));
        let offered = headers(&[(
            header::SEC_WEBSOCKET_PROTOCOL,
            "werkplaats, werkplaats-token.x_y-z",
        )]);
        assert_eq!(token(None, &offered).as_deref(), Some("x_y-z"));
        assert_eq!(token(None, &HeaderMap::new()), None);
    }
}
