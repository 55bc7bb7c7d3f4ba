//! Pagination: moto answers every listing in one page (only ListRoles pages), so a proxy
//! between mlguard and moto cuts the role, security group and key listings into pages of
//! five with markers, as AWS does for large accounts. Every item must still be collected,
//! each page asked for at the API's maximum page size, and the snapshot must be the one a
//! single-page answer gives.

use crate::common::live;
use crate::common::live::{Workdir, ids, without_run_fields};
use crate::common::moto::Moto;
use crate::common::proxy::{Proxy, Request, Response, Upstream, cut_xml_list};
use crate::common::seed::{Aws, SAGEMAKER_TRUST};
use std::sync::{Arc, Mutex};

const REGION: &str = "us-east-1";
const PAGE: usize = 5;

/// What the proxy saw of each paged listing: operation, requested page size, marker.
type Log = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

fn page_of(token: &Option<String>) -> usize {
    token
        .as_deref()
        .and_then(|t| t.strip_prefix("proxy-page-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn paginate(req: &Request, up: &Upstream, log: &Log) -> Response {
    let op = req.operation();
    match (req.service().as_str(), op.as_str()) {
        ("iam", "GetAccountAuthorizationDetails") => {
            let marker = req.param("Marker");
            log.lock()
                .expect("log")
                .push((op.clone(), req.param("MaxItems"), marker.clone()));
            let page = page_of(&marker);
            let resp = up.send(&req.without_param("Marker"));
            let (text, n) = cut_xml_list(&resp.text(), "RoleDetailList", "member", |i| {
                i / PAGE == page
            });
            let last = (page + 1) * PAGE >= n;
            // The managed policies arrive with the last page of roles, after the roles that use them.
            let (mut text, _) = cut_xml_list(&text, "Policies", "member", |_| last);
            if !last {
                text = text.replace(
                    "<IsTruncated>false</IsTruncated>",
                    &format!(
                        "<IsTruncated>true</IsTruncated><Marker>proxy-page-{}</Marker>",
                        page + 1
                    ),
                );
            }
            resp.with_body(text)
        }
        ("ec2", "DescribeSecurityGroups") => {
            let token = req.param("NextToken");
            log.lock()
                .expect("log")
                .push((op.clone(), req.param("MaxResults"), token.clone()));
            let page = page_of(&token);
            let resp = up.send(&req.without_param("NextToken"));
            let (mut text, n) = cut_xml_list(&resp.text(), "securityGroupInfo", "item", |i| {
                i / PAGE == page
            });
            if (page + 1) * PAGE < n {
                text = text.replace(
                    "</DescribeSecurityGroupsResponse>",
                    &format!(
                        "<nextToken>proxy-page-{}</nextToken></DescribeSecurityGroupsResponse>",
                        page + 1
                    ),
                );
            }
            resp.with_body(text)
        }
        ("kms", "ListKeys") => {
            let mut body = req.json();
            let marker = body
                .get("Marker")
                .and_then(|m| m.as_str())
                .map(str::to_string);
            log.lock().expect("log").push((
                op.clone(),
                body.get("Limit").map(|l| l.to_string()),
                marker.clone(),
            ));
            let page = page_of(&marker);
            if let Some(obj) = body.as_object_mut() {
                obj.remove("Marker");
            }
            let forwarded = Request {
                body: body.to_string().into_bytes(),
                ..req.clone()
            };
            let resp = up.send(&forwarded);
            let mut answer: serde_json::Value = serde_json::from_slice(&resp.body).expect("JSON");
            let keys: Vec<serde_json::Value> =
                answer["Keys"].as_array().cloned().unwrap_or_default();
            let n = keys.len();
            answer["Keys"] = keys.into_iter().skip(page * PAGE).take(PAGE).collect();
            let more = (page + 1) * PAGE < n;
            answer["Truncated"] = more.into();
            answer["NextMarker"] = if more {
                format!("proxy-page-{}", page + 1).into()
            } else {
                serde_json::Value::Null
            };
            resp.with_body(answer.to_string())
        }
        _ => up.send(req),
    }
}

#[test]
fn every_page_is_read_at_the_maximum_page_size() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let (roles, groups, keys) = aws.run(async {
        let mut roles = Vec::new();
        for i in 0..12 {
            // The first role (first page) and the last (last page) use managed policies that
            // arrive only with the last page.
            let managed: &[&str] = match i {
                0 => &["arn:aws:iam::aws:policy/AdministratorAccess"],
                11 => &["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
                _ => &[],
            };
            roles.push(
                aws.role(&format!("ml-role-{i:02}"), SAGEMAKER_TRUST, managed)
                    .await,
            );
        }
        let vpc = aws.vpc("10.0.0.0/16").await;
        let mut groups = Vec::new();
        for i in 0..12 {
            groups.push(aws.security_group(&vpc, &format!("ml-sg-{i:02}")).await);
        }
        let mut keys = Vec::new();
        for i in 0..12 {
            keys.push(aws.key(&format!("key {i}"), None).await.1);
        }
        (roles, groups, keys)
    });

    let work = Workdir::new();
    let (direct, _) = work.collect(&moto.endpoint(), REGION, &[]);

    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    let proxy = Proxy::start(moto.port, move |req, up| paginate(req, up, &seen));
    let (paged, stderr) = work.collect(&proxy.endpoint(), REGION, &["--stats", "-vv"]);

    // Every item, from every page.
    let mut expected_roles = roles.clone();
    expected_roles.sort();
    assert_eq!(ids(&paged["iam"]["roles"], "Arn"), expected_roles);
    assert_eq!(
        ids(&paged["iam"]["policies"], "Arn"),
        vec![
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
        ]
    );
    let collected_groups = ids(
        &paged["regions"][REGION]["ec2"]["security_groups"],
        "GroupId",
    );
    for g in &groups {
        assert!(collected_groups.contains(g), "{g} missing");
    }
    assert_eq!(
        collected_groups.len(),
        groups.len() + 2,
        "plus the two VPCs' default groups"
    );
    let mut expected_keys = keys.clone();
    expected_keys.sort();
    assert_eq!(
        ids(&paged["regions"][REGION]["kms"]["keys"], "Arn"),
        expected_keys
    );
    assert_eq!(paged["gaps"], serde_json::json!([]));
    assert_eq!(
        without_run_fields(&paged),
        without_run_fields(&direct),
        "pages must add up to the single-page answer"
    );

    // Each page asked for the maximum page size, and followed the previous page's marker.
    let log = log.lock().expect("log").clone();
    for (op, size, pages) in [
        ("GetAccountAuthorizationDetails", "1000", 3),
        ("DescribeSecurityGroups", "1000", 3),
        ("ListKeys", "1000", 3),
    ] {
        let requests: Vec<_> = log.iter().filter(|(o, _, _)| o == op).collect();
        assert_eq!(requests.len(), pages, "{op}: {requests:?}");
        for (i, (_, asked, marker)) in requests.iter().enumerate() {
            assert_eq!(asked.as_deref(), Some(size), "{op} page {i}");
            let want = (i > 0).then(|| format!("proxy-page-{i}"));
            assert_eq!(marker, &want, "{op} page {i}");
        }
    }
    let calls = live::calls(&stderr);
    assert_eq!(calls["iam:GetAccountAuthorizationDetails"].0, 3, "{stderr}");
    assert_eq!(calls["ec2:DescribeSecurityGroups"].0, 3, "{stderr}");
    assert_eq!(calls["kms:ListKeys"].0, 3, "{stderr}");
}
