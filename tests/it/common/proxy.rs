//! A small HTTP/1.1 proxy for the live tests, on 127.0.0.1, between mlguard and moto. A
//! handler sees each request and either forwards it (and may rewrite the answer) or answers
//! itself: AWS errors in each protocol's shape (throttling, access denied), or pages cut
//! out of a full listing, since moto ignores page sizes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The service: the signing service (`iam`, `ec2`, `kms`, `sagemaker`, `s3`, `sts`), and
    /// `s3control` for S3 Control, which signs as `s3` (its paths start with `/v20180820/`).
    pub fn service(&self) -> String {
        if self.target.starts_with("/v20180820/") {
            return "s3control".to_string();
        }
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split(',').next())
            .and_then(|scope| scope.split('/').nth(3))
            .unwrap_or_default()
            .to_string()
    }

    /// Form parameters of a query-protocol request (IAM, STS, EC2).
    pub fn form(&self) -> Vec<(String, String)> {
        String::from_utf8_lossy(&self.body)
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The same request with form parameter `name` removed.
    pub fn without_param(&self, name: &str) -> Request {
        let body: Vec<&str> = std::str::from_utf8(&self.body)
            .unwrap_or_default()
            .split('&')
            .filter(|p| p.split('=').next() != Some(name))
            .collect();
        Request {
            body: body.join("&").into_bytes(),
            ..self.clone()
        }
    }

    /// The API operation.
    pub fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or_default().to_string();
        }
        if let Some(action) = self.param("Action") {
            return action;
        }
        // S3 (REST): the x-id parameter, else the sub-resource.
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        if path == "/v20180820/configuration/publicAccessBlock" {
            return match self.method.as_str() {
                "GET" => "GetPublicAccessBlock",
                "PUT" => "PutPublicAccessBlock",
                "DELETE" => "DeletePublicAccessBlock",
                _ => "Unknown",
            }
            .to_string();
        }
        for p in query.split('&') {
            if let Some(id) = p.strip_prefix("x-id=") {
                return id.to_string();
            }
        }
        let sub = query
            .split('&')
            .next()
            .unwrap_or_default()
            .split('=')
            .next()
            .unwrap_or_default();
        match (self.method.as_str(), sub) {
            ("GET", "encryption") => "GetBucketEncryption",
            ("GET", "publicAccessBlock") => "GetPublicAccessBlock",
            ("GET", "policy") => "GetBucketPolicy",
            ("GET", "location") => "GetBucketLocation",
            ("GET", _) if path == "/" => "ListBuckets",
            _ => "Unknown",
        }
        .to_string()
    }

    /// The SDK's attempt number (`amz-sdk-request: attempt=N; max=M`).
    pub fn attempt(&self) -> u32 {
        self.header("amz-sdk-request")
            .and_then(|h| h.split(';').next())
            .and_then(|a| a.trim().strip_prefix("attempt="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("x-amzn-RequestId".into(), "proxy-request".into()),
            ],
            body: body.into(),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }
}

/// An AWS error answer in the protocol of the request's service.
pub fn aws_error(req: &Request, status: u16, code: &str, message: &str) -> Response {
    match req.service().as_str() {
        "kms" | "sagemaker" => Response::new(
            status,
            "application/x-amz-json-1.1",
            serde_json::json!({"__type": code, "message": message}).to_string(),
        ),
        "ec2" => Response::new(
            status,
            "text/xml;charset=UTF-8",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy-request</RequestID></Response>"#
            ),
        ),
        "s3" => Response::new(
            status,
            "application/xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy-request</RequestId></Error>"#
            ),
        ),
        _ => Response::new(
            status,
            "text/xml",
            format!(
                r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy-request</RequestId></ErrorResponse>"#
            ),
        ),
    }
}

/// The throttling answer each service gives: `Throttling` (IAM, STS),
/// `ThrottlingException` (KMS, SageMaker), `RequestLimitExceeded` (EC2), `SlowDown` (S3).
pub fn throttle(req: &Request) -> Response {
    match req.service().as_str() {
        "kms" | "sagemaker" => aws_error(req, 400, "ThrottlingException", "Rate exceeded"),
        "ec2" => aws_error(req, 503, "RequestLimitExceeded", "Request limit exceeded."),
        "s3" => aws_error(req, 503, "SlowDown", "Please reduce your request rate."),
        _ => aws_error(req, 400, "Throttling", "Rate exceeded"),
    }
}

/// The access-denied answer each service gives.
pub fn denied(req: &Request) -> Response {
    let action = format!("{}:{}", req.service(), req.operation());
    let message = format!(
        "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: {action}"
    );
    match req.service().as_str() {
        "kms" | "sagemaker" => aws_error(req, 400, "AccessDeniedException", &message),
        "ec2" => aws_error(req, 403, "UnauthorizedOperation", &message),
        _ => aws_error(req, 403, "AccessDenied", &message),
    }
}

/// Sends requests on to the emulator.
pub struct Upstream {
    port: u16,
}

fn read_head(reader: &mut impl BufRead) -> Option<(String, Vec<(String, String)>)> {
    let mut first = String::new();
    if reader.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Some((first.trim_end().to_string(), headers))
}

fn read_body(reader: &mut impl BufRead, headers: &[(String, String)]) -> Vec<u8> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).unwrap_or(0) == 0 {
                break;
            }
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if n == 0 {
                let mut rest = String::new();
                let _ = reader.read_line(&mut rest);
                break;
            }
            let mut chunk = vec![0; n + 2];
            if reader.read_exact(&mut chunk).is_err() {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        let _ = reader.read_exact(&mut body);
    }
    body
}

impl Upstream {
    pub fn send(&self, req: &Request) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("emulator answers");
        let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
        for (k, v) in &req.headers {
            if !["connection", "content-length", "transfer-encoding"]
                .contains(&k.to_ascii_lowercase().as_str())
            {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            req.body.len()
        ));
        stream.write_all(head.as_bytes()).expect("write");
        stream.write_all(&req.body).expect("write");
        let mut reader = BufReader::new(stream);
        let (status_line, headers) = read_head(&mut reader).expect("an HTTP answer");
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(502);
        let has_length = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-length")
                || (k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
        });
        let body = if has_length {
            read_body(&mut reader, &headers)
        } else {
            let mut b = Vec::new();
            let _ = reader.read_to_end(&mut b);
            b
        };
        let headers = headers
            .into_iter()
            .filter(|(k, _)| {
                !["connection", "content-length", "transfer-encoding"]
                    .contains(&k.to_ascii_lowercase().as_str())
            })
            .collect();
        Response {
            status,
            headers,
            body,
        }
    }
}

type Handler = dyn Fn(&Request, &Upstream) -> Response + Send + Sync;

pub struct Proxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(stream: TcpStream, upstream: &Upstream, handler: &Handler) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    while let Some((request_line, headers)) = read_head(&mut reader) {
        let mut parts = request_line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("GET").to_string(),
            parts.next().unwrap_or("/").to_string(),
        );
        let body = read_body(&mut reader, &headers);
        let req = Request {
            method,
            target,
            headers,
            body,
        };
        let resp = handler(&req, upstream);
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", resp.body.len()));
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&resp.body).is_err() {
            return;
        }
    }
}

impl Proxy {
    /// Listens on a free port and hands every request to `handler`.
    pub fn start(
        upstream_port: u16,
        handler: impl Fn(&Request, &Upstream) -> Response + Send + Sync + 'static,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let upstream = Arc::new(Upstream {
            port: upstream_port,
        });
        let stopping = Arc::clone(&stop);
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (handler, upstream) = (Arc::clone(&handler), Arc::clone(&upstream));
                std::thread::spawn(move || serve(conn, &upstream, &*handler));
            }
        });
        Proxy {
            port,
            stop,
            accept: Some(accept),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// The RoleDetail of GetAccountAuthorizationDetails without its `<RoleLastUsed>` element,
/// as an implementation that leaves it out answers (moto 5.2.5 sends it, empty).
pub fn without_role_last_used(role_detail: &str) -> String {
    let mut out = role_detail.replace("<RoleLastUsed/>", "");
    while let (Some(a), Some(b)) = (out.find("<RoleLastUsed>"), out.find("</RoleLastUsed>")) {
        if b < a {
            break;
        }
        out.replace_range(a..b + "</RoleLastUsed>".len(), "");
    }
    out
}

/// A handler that forwards everything and rewrites each RoleDetail of
/// GetAccountAuthorizationDetails answers with `f(index on the page, RoleDetail)`.
pub fn rewrite_role_details(
    f: impl Fn(usize, &str) -> String + Send + Sync + 'static,
) -> impl Fn(&Request, &Upstream) -> Response + Send + Sync + 'static {
    move |req, up| {
        let resp = up.send(req);
        if req.service() != "iam" || req.operation() != "GetAccountAuthorizationDetails" {
            return resp;
        }
        let (xml, _) = map_xml_list(&resp.text(), "RoleDetailList", "member", &f);
        resp.with_body(xml)
    }
}

/// Cuts the items of `<list>` (elements `<item>`, nested ones left alone) to those whose
/// index `keep` accepts. Returns the new document and how many items the list had.
pub fn cut_xml_list(
    xml: &str,
    list: &str,
    item: &str,
    keep: impl Fn(usize) -> bool,
) -> (String, usize) {
    map_xml_list(xml, list, item, |i, text| {
        if keep(i) {
            text.to_string()
        } else {
            String::new()
        }
    })
}

/// Rewrites each item of `<list>` (elements `<item>`, nested ones left alone) with `f(index,
/// item text)`. Returns the new document and how many items the list had.
pub fn map_xml_list(
    xml: &str,
    list: &str,
    item: &str,
    f: impl Fn(usize, &str) -> String,
) -> (String, usize) {
    let open = format!("<{list}>");
    let Some(start) = xml.find(&open).map(|i| i + open.len()) else {
        return (xml.to_string(), 0);
    };
    let (open_item, empty_item, close_item, close_list) = (
        format!("<{item}>"),
        format!("<{item}/>"),
        format!("</{item}>"),
        format!("</{list}>"),
    );
    let mut items: Vec<(usize, usize)> = Vec::new();
    let (mut depth, mut pos, mut item_start) = (0usize, start, start);
    let end = loop {
        let Some(rel) = xml[pos..].find('<') else {
            return (xml.to_string(), 0);
        };
        let at = pos + rel;
        let rest = &xml[at..];
        if depth == 0 && rest.starts_with(&close_list) {
            break at;
        } else if rest.starts_with(&open_item) {
            if depth == 0 {
                item_start = at;
            }
            depth += 1;
            pos = at + open_item.len();
        } else if rest.starts_with(&close_item) {
            depth -= 1;
            pos = at + close_item.len();
            if depth == 0 {
                items.push((item_start, pos));
            }
        } else if depth == 0 && rest.starts_with(&empty_item) {
            items.push((at, at + empty_item.len()));
            pos = at + empty_item.len();
        } else {
            pos = at + 1;
        }
    };
    let kept: String = items
        .iter()
        .enumerate()
        .map(|(i, (a, b))| f(i, &xml[*a..*b]))
        .collect();
    (
        format!("{}{kept}{}", &xml[..start], &xml[end..]),
        items.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_top_level_items_only() {
        let xml =
            "<R><L><item><a><item>x</item></a></item><item>2</item><item>3</item></L><N/></R>";
        let (out, n) = cut_xml_list(xml, "L", "item", |i| i == 0 || i == 2);
        assert_eq!(n, 3);
        assert_eq!(
            out,
            "<R><L><item><a><item>x</item></a></item><item>3</item></L><N/></R>"
        );
        assert_eq!(
            without_role_last_used(
                "<member><A/><RoleLastUsed><Region>x</Region></RoleLastUsed><B/><RoleLastUsed/></member>"
            ),
            "<member><A/><B/></member>"
        );
        let (out, n) = map_xml_list(xml, "L", "item", |i, text| {
            text.replacen("<item>", &format!("<item><i>{i}</i>"), 1)
        });
        assert_eq!(n, 3);
        assert_eq!(
            out,
            "<R><L><item><i>0</i><a><item>x</item></a></item><item><i>1</i>2</item><item><i>2</i>3</item></L><N/></R>"
        );
    }
}
