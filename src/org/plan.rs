//! `mlguard org plan`: the manifest, from AWS Organizations or from the accounts given.

use super::OrgError;
use super::model::{Manifest, ManifestAccount, ManifestSource, valid_account_id};
use super::store::{self, Location};
use crate::app::cli::{AwsConnArgs, OrgPlanCmd};
use crate::app::{CliError, Io, exit};
use crate::collect::client;
use crate::collect::ctx::error_parts;
use crate::collect::{CollectError, Options, RegionChoice};
use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};
use aws_types::SdkConfig;
use aws_types::region::Region;
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

/// The SDK options of a command with the AWS CLI's connection flags.
pub(crate) fn conn_options(args: &AwsConnArgs) -> Options {
    Options {
        profile: args.profile.clone(),
        region: args.region.clone(),
        regions: RegionChoice::Configured,
        role_arn: args.role_arn.clone(),
        external_id: args.external_id.clone(),
        role_session_name: args.role_session_name.clone(),
        endpoint_url: args.endpoint_url.clone(),
        concurrency: 1,
        max_attempts: args.max_attempts,
        attempt_timeout: Duration::from_secs(args.attempt_timeout),
        ..Options::default()
    }
}

/// The SDK configuration for `opts`: the configured credentials (then `--role-arn`), the
/// configured region or `fallback_region`, checked once before any call.
pub(crate) async fn sdk_config(
    opts: &Options,
    fallback_region: &str,
) -> Result<SdkConfig, CollectError> {
    crate::collect::live::validate(opts)?;
    let mut config = client::load(opts).await;
    if config.region().is_none() {
        config = config
            .into_builder()
            .region(Region::new(fallback_region.to_string()))
            .build();
    }
    if let Some(role_arn) = &opts.role_arn {
        config = client::assume_role(config, opts, role_arn).await;
    }
    client::check_credentials(&config, opts).await?;
    Ok(config)
}

pub fn command(cmd: OrgPlanCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    let output = cmd
        .output
        .as_deref()
        .map(Location::parse)
        .transpose()
        .map_err(OrgError::from)?;
    let exclude = account_args("exclude", &cmd.exclude)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    let given = if let Some(path) = &cmd.accounts_file {
        Some(read_accounts_file(path)?)
    } else if !cmd.accounts.is_empty() {
        Some(account_args("accounts", &cmd.accounts)?)
    } else {
        None
    };
    for ou in &cmd.ous {
        if !valid_parent_id(ou) {
            return Err(OrgError::BadOu(ou.clone()).into());
        }
    }
    let opts = conn_options(&cmd.aws);
    // The configuration is needed to list the organization, and to write to S3.
    let config = if given.is_none() || output.as_ref().is_some_and(Location::is_s3) {
        Some(runtime.block_on(sdk_config(&opts, "us-east-1"))?)
    } else {
        None
    };
    let (source, organization_id, mut accounts) = match given {
        Some(ids) => (
            ManifestSource::Accounts,
            None,
            ids.into_iter().map(ManifestAccount::new).collect(),
        ),
        None => {
            let Some(config) = &config else {
                unreachable!("loaded above when no accounts are given")
            };
            let client = aws_sdk_organizations::Client::new(config);
            let listed = runtime.block_on(list_organization(&client, &cmd.ous))?;
            (
                ManifestSource::Organizations,
                listed.organization_id,
                listed.accounts,
            )
        }
    };
    let before = accounts.len();
    accounts.retain(|a| !exclude.contains(&a.id));
    let excluded = before - accounts.len();
    if accounts.is_empty() {
        return Err(OrgError::NoAccounts(if excluded > 0 {
            format!("--exclude removed all {excluded}")
        } else {
            "the organization (or OU) lists no active account".to_string()
        })
        .into());
    }
    let manifest = Manifest::new(source, organization_id, accounts, chrono::Utc::now())
        .map_err(OrgError::from)?;
    let bytes = manifest.to_json();
    match &output {
        None => crate::app::emit(&bytes, None, io)?,
        Some(location) => {
            let written = match &config {
                Some(config) => {
                    let _guard = runtime.enter();
                    store::write_object_with(location, &bytes, config)
                }
                None => store::write_object(location, &bytes),
            };
            written.map_err(OrgError::from)?;
        }
    }
    writeln!(
        io.stderr,
        "mlguard: manifest of {} {}{}{}, sha256 {}{}",
        manifest.accounts.len(),
        if manifest.accounts.len() == 1 {
            "account"
        } else {
            "accounts"
        },
        match source {
            ManifestSource::Organizations => " from AWS Organizations",
            ManifestSource::Accounts => " given",
        },
        if excluded > 0 {
            format!(" ({excluded} excluded)")
        } else {
            String::new()
        },
        manifest.sha256,
        output.map(|o| format!(", to {o}")).unwrap_or_default()
    )?;
    Ok(exit::OK)
}

/// Ids from `--accounts` / `--exclude`, checked.
fn account_args(flag: &'static str, values: &[String]) -> Result<BTreeSet<String>, OrgError> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|id| {
            if valid_account_id(id) {
                Ok(id.to_string())
            } else {
                Err(OrgError::BadAccountArg {
                    flag,
                    id: id.to_string(),
                })
            }
        })
        .collect()
}

/// `--accounts-file`: a JSON array of ids, or one id per line (the first word; blank lines and
/// `#` comments skipped, so `aws organizations list-accounts --output text` columns or a CSV
/// with the id first work).
fn read_accounts_file(path: &std::path::Path) -> Result<BTreeSet<String>, OrgError> {
    let text = std::fs::read_to_string(path).map_err(|source| OrgError::AccountsFile {
        path: path.display().to_string(),
        source,
    })?;
    parse_accounts_text(&text, &path.display().to_string())
}

pub(crate) fn parse_accounts_text(text: &str, name: &str) -> Result<BTreeSet<String>, OrgError> {
    if text.trim_start().starts_with('[') {
        let ids: Vec<String> =
            serde_json::from_str(text).map_err(|e| OrgError::AccountsFileLine {
                path: name.to_string(),
                line: e.line(),
                text: e.to_string(),
            })?;
        return account_args("accounts-file", &ids);
    }
    let mut ids = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(first) = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .find(|w| !w.is_empty())
        else {
            continue;
        };
        let first = first.trim_matches('"');
        if !valid_account_id(first) {
            return Err(OrgError::AccountsFileLine {
                path: name.to_string(),
                line: i + 1,
                text: first.to_string(),
            });
        }
        ids.insert(first.to_string());
    }
    Ok(ids)
}

/// `r-xxxx` (a root) or `ou-xxxx-xxxxxxxx`.
fn valid_parent_id(id: &str) -> bool {
    let tail_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(rest) = id.strip_prefix("r-") {
        return tail_ok(rest);
    }
    id.strip_prefix("ou-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(a, b)| tail_ok(a) && tail_ok(b))
}

struct Listed {
    organization_id: Option<String>,
    accounts: Vec<ManifestAccount>,
}

/// Whether a listed account is to be scanned: active, not suspended, closing or closed.
fn is_active(a: &Account) -> bool {
    let state_ok = match a.state() {
        Some(state) => *state == AccountState::Active,
        None => true,
    };
    let status_ok = match a.status() {
        Some(status) => *status == AccountStatus::Active,
        None => a.state().is_some(),
    };
    state_ok && status_ok
}

/// `o-...` from an account ARN (`arn:aws:organizations::MGMT:account/o-xxx/ID`).
fn organization_of(arn: &str) -> Option<String> {
    arn.split('/')
        .find(|p| p.starts_with("o-"))
        .map(str::to_string)
}

fn to_manifest(a: &Account, ou: Option<&str>) -> Option<ManifestAccount> {
    Some(ManifestAccount {
        id: a.id()?.to_string(),
        name: a.name().map(str::to_string),
        email: a.email().map(str::to_string),
        ou: ou.map(str::to_string),
    })
}

fn org_error<E>(
    operation: &'static str,
) -> impl Fn(
    aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> OrgError
where
    E: aws_sdk_organizations::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| {
        let (code, message) = error_parts(&e);
        OrgError::Organizations {
            operation,
            code,
            message,
        }
    }
}

/// Every active account of the organization (every page), or under the OUs (child OUs
/// included).
async fn list_organization(
    client: &aws_sdk_organizations::Client,
    ous: &[String],
) -> Result<Listed, OrgError> {
    let mut organization_id = None;
    let mut accounts = Vec::new();
    if ous.is_empty() {
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(org_error("ListAccounts"))?;
            for a in page.accounts() {
                if organization_id.is_none() {
                    organization_id = a.arn().and_then(organization_of);
                }
                if is_active(a) {
                    accounts.extend(to_manifest(a, None));
                }
            }
        }
        return Ok(Listed {
            organization_id,
            accounts,
        });
    }
    // Breadth first from each OU; an OU reached twice (nested --ou values) is listed once.
    let mut queue: VecDeque<String> = ous.iter().cloned().collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(parent) = queue.pop_front() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let mut pages = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(org_error("ListAccountsForParent"))?;
            for a in page.accounts() {
                if organization_id.is_none() {
                    organization_id = a.arn().and_then(organization_of);
                }
                if is_active(a) {
                    accounts.extend(to_manifest(a, Some(&parent)));
                }
            }
        }
        let mut pages = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(org_error("ListOrganizationalUnitsForParent"))?;
            for ou in page.organizational_units() {
                if let Some(id) = ou.id() {
                    queue.push_back(id.to_string());
                }
            }
        }
    }
    Ok(Listed {
        organization_id,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_files_in_every_shape() {
        let text = "# prod accounts\n111111111111 prod-ml\n\n222222222222,dev\n\"333333333333\"\n111111111111\n";
        let ids = parse_accounts_text(text, "f").expect("valid");
        assert_eq!(
            ids.into_iter().collect::<Vec<_>>(),
            ["111111111111", "222222222222", "333333333333"]
        );
        let ids = parse_accounts_text(r#"["444444444444", "111111111111"]"#, "f").expect("json");
        assert_eq!(ids.len(), 2);
        let err = parse_accounts_text("111111111111\nprod\n", "f").expect_err("bad line");
        assert!(err.to_string().contains("f:2"), "{err}");
    }

    #[test]
    fn parent_ids() {
        assert!(valid_parent_id("r-ab12"));
        assert!(valid_parent_id("ou-ab12-cdef3456"));
        assert!(!valid_parent_id("ou-ab12"));
        assert!(!valid_parent_id("111111111111"));
        assert!(!valid_parent_id("OU-AB12-CDEF"));
    }

    #[test]
    fn only_active_accounts() {
        let account = |status: Option<AccountStatus>, state: Option<AccountState>| {
            let mut b = Account::builder().id("111111111111");
            if let Some(s) = status {
                b = b.status(s);
            }
            if let Some(s) = state {
                b = b.state(s);
            }
            b.build()
        };
        assert!(is_active(&account(Some(AccountStatus::Active), None)));
        assert!(is_active(&account(None, Some(AccountState::Active))));
        assert!(!is_active(&account(Some(AccountStatus::Suspended), None)));
        assert!(!is_active(&account(
            Some(AccountStatus::PendingClosure),
            None
        )));
        assert!(!is_active(&account(
            Some(AccountStatus::Active),
            Some(AccountState::Closed)
        )));
        assert!(!is_active(&account(None, None)));
        assert_eq!(
            organization_of("arn:aws:organizations::111111111111:account/o-abc123/222222222222"),
            Some("o-abc123".into())
        );
    }
}
