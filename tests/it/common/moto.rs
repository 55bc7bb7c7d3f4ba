//! moto's AWS emulator for the live-collection tests: one `moto_server` per test, on
//! 127.0.0.1 with a free port, stopped when the handle is dropped.
//!
//! The server comes from `MLGUARD_MOTO_SERVER` (scripts/test.sh installs moto and sets it).
//! When it is missing the test fails with the way to get it: these tests never skip.
//!
//! Tests run in parallel in one process (and other processes may start servers too): a
//! server counts as started only once its own log says it listens on the port, so a test
//! never talks to another test's server that happened to get the same port first.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The account moto answers for with the credentials the tests use.
pub const ACCOUNT: &str = "123456789012";

const MISSING: &str =
    "moto_server not found: run scripts/test.sh, which installs it, or set MLGUARD_MOTO_SERVER";

pub struct Moto {
    child: Child,
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn server() -> PathBuf {
    let path = std::env::var_os("MLGUARD_MOTO_SERVER").map(PathBuf::from);
    match path {
        Some(p) if p.is_file() => p,
        Some(p) => panic!("{MISSING} ({} does not exist)", p.display()),
        None => panic!("{MISSING}"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// Whether the server that wrote `log` listens on `port` (werkzeug's startup line, printed
/// once the socket is bound; a server that lost the port exits with "Address already in use").
fn listens(log: &std::path::Path, port: u16) -> bool {
    std::fs::read_to_string(log)
        .is_ok_and(|text| text.contains(&format!("Running on http://127.0.0.1:{port}")))
}

/// Whether something on `port` answers HTTP.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

impl Moto {
    /// Starts a server with the settings the tests rely on.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Starts a server with extra environment variables.
    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        Moto::launch(env, None)
    }

    /// Starts a server that enforces IAM policies (after `INITIAL_NO_AUTH_ACTION_COUNT`
    /// unauthenticated requests) without checking request signatures. moto recomputes the
    /// SigV4 signature of a query-protocol request (IAM, EC2) over the form parameters
    /// re-encoded by botocore, which writes a space as `+` where the AWS SDK for Rust (like
    /// AWS) sends `%20`: every signed request with a space in a parameter (a security group
    /// description, a role's description) fails with AuthFailure / SignatureDoesNotMatch.
    /// The access key still identifies the user, so authorization is unchanged.
    pub fn start_enforcing_without_signatures(initial_no_auth: u32) -> Moto {
        let count = initial_no_auth.to_string();
        Moto::launch(
            &[("INITIAL_NO_AUTH_ACTION_COUNT", &count)],
            Some(
                "import sys\n\
                 from moto.iam import access_control\n\
                 access_control.IAMRequestBase.check_signature = lambda self: None\n\
                 from moto.server import main\n\
                 sys.exit(main())\n",
            ),
        )
    }

    fn launch(env: &[(&str, &str)], python: Option<&str>) -> Moto {
        let server = server();
        let mut last_log = String::new();
        // A port can be taken between choosing it and the server binding it: try a few.
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("temp dir");
            let log = dir.path().join("moto.log");
            let port = free_port();
            let out = std::fs::File::create(&log).expect("log file");
            let err = out.try_clone().expect("log file");
            let mut cmd = match python {
                None => Command::new(&server),
                Some(code) => {
                    let python = std::env::var_os("MLGUARD_PYTHON")
                        .map(PathBuf::from)
                        .unwrap_or_else(|| server.with_file_name("python"));
                    let mut cmd = Command::new(python);
                    cmd.args(["-c", code]);
                    cmd
                }
            };
            cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
                .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err);
            for (k, v) in env {
                cmd.env(k, v);
            }
            let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{MISSING} ({e})"));
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if answers(port) && listens(&log, port) {
                    return Moto {
                        child,
                        port,
                        log,
                        _dir: dir,
                    };
                }
                if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_log = std::fs::read_to_string(&log).unwrap_or_default();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("moto_server did not start; its log:\n{last_log}");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
