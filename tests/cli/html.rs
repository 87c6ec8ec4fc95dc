//! `--format html` in a real browser: Debian's headless Chromium, driven over the
//! DevTools protocol (`--remote-debugging-pipe`: JSON messages on the child's fds 3
//! and 4). The protocol is the oracle: `Network.requestWillBeSent` reports every
//! request the page makes (of any scheme), `Runtime.consoleAPICalled`,
//! `Runtime.exceptionThrown` and `Log.entryAdded` every console error, script error
//! and blocked load; `Page.captureScreenshot` is what the compositor drew. A leaky page
//! checks that the harness sees requests and errors at all.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{new_crate, portable, tempdir, tool};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A headless Chromium with one page, attached through the DevTools pipe.
struct Browser {
    child: Child,
    tx: std::fs::File,
    rx: Receiver<Value>,
    next: u64,
    session: String,
    /// Every event received, in order.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", std::io::Error::last_os_error());
    (fds[0], fds[1])
}

impl Browser {
    fn launch() -> Browser {
        let chromium = tool("chromium");
        let profile = tempdir();
        let (cmd_r, cmd_w) = pipe(); // we write commands, the browser reads fd 3
        let (ev_r, ev_w) = pipe(); // the browser writes fd 4, we read
        let mut c = Command::new(chromium);
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(move || {
                // out of the way of 3 and 4 first, then onto them (dup2 clears CLOEXEC)
                let a = libc::fcntl(cmd_r, libc::F_DUPFD_CLOEXEC, 10);
                let b = libc::fcntl(ev_w, libc::F_DUPFD_CLOEXEC, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = c.spawn().expect("spawn chromium");
        // SAFETY: the descriptors are ours and used once each.
        let (tx, rx_file) = unsafe {
            libc::close(cmd_r);
            libc::close(ev_w);
            (
                std::fs::File::from_raw_fd(cmd_w),
                std::fs::File::from_raw_fd(ev_r),
            )
        };
        let (send, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(rx_file);
            loop {
                let mut buf = Vec::new();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if buf.last() == Some(&0) {
                            buf.pop();
                        }
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                            if send.send(v).is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            tx,
            rx,
            next: 0,
            session: String::new(),
            events: Vec::new(),
            _profile: profile,
        };
        let targets = b.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .unwrap_or_else(|| panic!("no page target: {targets}"))["targetId"]
            .clone();
        let s = b.call(
            "Target.attachToTarget",
            json!({"targetId": page, "flatten": true}),
        );
        b.session = s["sessionId"].as_str().unwrap().to_owned();
        for domain in ["Page", "Network", "Runtime", "Log"] {
            b.call(&format!("{domain}.enable"), json!({}));
        }
        b
    }

    /// Send a command (to the page once attached) and wait for its answer.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.tx.write_all(&bytes).expect("write to the browser");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer to {method} in {TIMEOUT:?}"));
            if m["id"] == id {
                if let Some(e) = m.get("error") {
                    panic!("{method}: {e}");
                }
                return m["result"].clone();
            }
            self.events.push(m);
        }
    }

    /// Wait for the event `method` (of the page).
    fn wait_event(&mut self, method: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {method} in {TIMEOUT:?}"));
            let done = m["method"] == method;
            self.events.push(m);
            if done {
                return;
            }
        }
    }

    /// Load `file` and wait for its load event; forget earlier events.
    fn open(&mut self, file: &Path, fragment: &str) -> String {
        self.events.clear();
        let url = format!("file://{}{fragment}", file.display());
        self.call("Page.navigate", json!({"url": url}));
        self.wait_event("Page.loadEventFired");
        // what the page does right after load (there should be nothing) shows up too
        self.eval("new Promise(r => setTimeout(r, 300))");
        url
    }

    /// Evaluate a JavaScript expression in the page (awaiting a promise); its value.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// The URLs of every request since the page was opened other than the page itself.
    fn requests(&self, page: &str) -> Vec<String> {
        let page = page.split('#').next().unwrap();
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .map(|e| {
                e["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .filter(|u| u.split('#').next().unwrap() != page)
            .collect()
    }

    /// Console errors, uncaught exceptions and error log entries (blocked loads,
    /// Content-Security-Policy violations) since the page was opened.
    fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| {
                let p = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.consoleAPICalled"
                        if matches!(p["type"].as_str(), Some("error" | "assert")) =>
                    {
                        Some(format!("console.{}: {}", p["type"], p["args"]))
                    }
                    "Runtime.exceptionThrown" => {
                        Some(format!("exception: {}", p["exceptionDetails"]))
                    }
                    "Log.entryAdded" if p["entry"]["level"] == "error" => {
                        Some(format!("log: {}", p["entry"]))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The viewport as RGBA pixels: (width, height, pixels).
    fn screenshot(&mut self) -> (u32, u32, Vec<u8>) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png_bytes = base64(r["data"].as_str().expect("screenshot data"));
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
        let info = reader.next_frame(&mut buf).expect("PNG frame");
        buf.truncate(info.buffer_size());
        let rgba: Vec<u8> = match info.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf
                .chunks(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            other => panic!("screenshot in {other:?}"),
        };
        (info.width, info.height, rgba)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        let take = chunk.len() - 1;
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    out
}

/// Pixels within a few units of `rgb`.
fn count_colour(px: &[u8], rgb: [u8; 3]) -> usize {
    px.chunks(4)
        .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= 3))
        .count()
}

fn hex(s: &str) -> [u8; 3] {
    let v = u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

const HELLO: &str = "fn main() { println!(\"hello {}\", std::env::args().count()); }\n";

/// Three cheap variants of a hello crate: glibc dynamic (system libraries only),
/// static glibc (a hazard), static musl.
const MATRIX: &str = "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\n\
[[variant]]\nid = \"gnu-static\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"external\"\ncrt-static = true\n\n\
[[variant]]\nid = \"musl\"\ntarget = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\"\n";

/// Build the hello crate as JSON and as HTML; (JSON report, HTML file).
fn real_build(dir: &Path) -> (Value, std::path::PathBuf) {
    let root = new_crate(dir, "hello", HELLO, None);
    let m = dir.join("matrix.toml");
    std::fs::write(&m, MATRIX).unwrap();
    let json_path = dir.join("report.json");
    let html_path = dir.join("report.html");
    for (format, out) in [("json", &json_path), ("html", &html_path)] {
        let o = portable()
            .args(["build", "--format", format, "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .arg("--matrix")
            .arg(&m)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "build --format {format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let report: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    (report, html_path)
}

#[test]
fn the_html_report_of_a_real_build_renders_in_chromium_without_requests_or_errors() {
    let dir = tempdir();
    let (report, html) = real_build(dir.path());
    let ids: Vec<String> = report["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    let hazards: BTreeSet<String> = report["variants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["artifacts"].as_array().unwrap())
        .flat_map(|a| a["hazards"].as_array().unwrap())
        .map(|h| h["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(!hazards.is_empty(), "static glibc has a hazard: {report}");

    let mut b = Browser::launch();

    // the harness sees a request and a console error when a page makes them
    let leaky = dir.path().join("leaky.html");
    std::fs::write(
        &leaky,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\">\
         <script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let url = b.open(&leaky, "");
    let reqs = b.requests(&url);
    assert!(
        reqs.iter().any(|u| u.starts_with("http://127.0.0.1:9/")),
        "the harness missed the image request: {reqs:?}"
    );
    assert!(
        b.errors().iter().any(|e| e.contains("boom")),
        "the harness missed console.error: {:?}",
        b.errors()
    );

    let url = b.open(&html, "");
    assert_eq!(
        b.requests(&url),
        Vec::<String>::new(),
        "the report made requests"
    );
    assert_eq!(b.errors(), Vec::<String>::new(), "console errors");

    // the DOM as the browser built it: every variant in the grid, every hazard in a
    // hazard table
    let dom = b.eval("document.documentElement.outerHTML");
    let dom = dom.as_str().unwrap();
    for id in &ids {
        assert!(
            dom.contains(id.as_str()),
            "variant {id} missing from the DOM"
        );
    }
    for h in &hazards {
        assert!(dom.contains(h.as_str()), "hazard {h} missing from the DOM");
    }
    let grid = b.eval(
        "[...document.querySelectorAll('#grid tbody tr td:first-child a')].map(a => a.textContent)",
    );
    assert_eq!(grid, json!(ids), "grid rows");
    let shown = b.eval("[...document.querySelectorAll('table.hazards tbody tr td:nth-child(2)')].map(t => t.textContent)");
    let shown: BTreeSet<String> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, hazards, "hazard codes in the details");
    // the classification the grid is coloured by: from the report's facts
    for v in report["variants"].as_array().unwrap() {
        let arts = v["artifacts"].as_array().unwrap();
        let expected = if arts.iter().all(|a| a["linkage"] != "dynamic") {
            "row-static"
        } else {
            "row-system"
        };
        let id = v["id"].as_str().unwrap();
        let class = b.eval(&format!(
            "[...document.querySelectorAll('#grid tbody tr')].find(r => r.querySelector('a').textContent === {}).className",
            json!(id)
        ));
        assert_eq!(class, json!(expected), "{id}");
    }

    // not blank: many colours, and the static and system backgrounds of the grid drawn
    let (w, h, px) = b.screenshot();
    assert!(w >= 800 && h >= 600, "{w}x{h}");
    let colours: BTreeSet<&[u8]> = px.chunks(4).collect();
    assert!(
        colours.len() > 50,
        "{} colours: a blank page",
        colours.len()
    );
    let css = std::fs::read_to_string(&html).unwrap();
    let var = |name: &str| {
        let at = css.find(&format!("--{name}:")).unwrap() + name.len() + 3;
        hex(&css[at..at + 7])
    };
    for name in ["static-bg", "system-bg"] {
        let n = count_colour(&px, var(name));
        assert!(
            n > 200,
            "{n} pixels of --{name}: the grid's colour is not drawn"
        );
    }
    // the page of `inspect` on the same binaries: a row per binary, also clean
    let paths: Vec<String> = report["variants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["artifacts"].as_array().unwrap())
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect();
    let inspected = dir.path().join("inspect.html");
    html_page("inspect", &inspected, &paths);
    let url = b.open(&inspected, "");
    assert_eq!(b.requests(&url), Vec::<String>::new());
    assert_eq!(b.errors(), Vec::<String>::new());
    let rows = b.eval(
        "[...document.querySelectorAll('#grid tbody tr td:first-child a')].map(a => a.textContent)",
    );
    assert_eq!(rows, json!(paths), "inspect grid rows");

    eprintln!(
        "chromium: {w}x{h} screenshot, {} colours, {} variants, {} hazards",
        colours.len(),
        ids.len(),
        hazards.len()
    );
}

/// A report of 12 variants of over 1,000 imports each, made from the real build's
/// report (every variant a copy of its glibc one with synthetic imports), read back by
/// `merge` (the strict types) and rendered by it.
fn big_report(dir: &Path, real: &Value) -> (std::path::PathBuf, Vec<Vec<String>>) {
    let mut r = real.clone();
    let gnu = r["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "gnu")
        .unwrap()
        .clone();
    let mut variants = Vec::new();
    let mut names = Vec::new();
    for k in 0..12 {
        let mut v = gnu.clone();
        v["id"] = json!(format!("variant-{k:02}"));
        let libs = ["libc.so.6", "libm.so.6", "libgcc_s.so.1"];
        let imports: Vec<Value> = (0..1100)
            .map(|i| {
                json!({
                    "name": format!("sym_{k}_{i}"),
                    "version": format!("GLIBC_2.{}", i % 40),
                    "library": libs[i % 3],
                    "weak": i % 17 == 0
                })
            })
            .collect();
        names.push(
            imports
                .iter()
                .map(|i| {
                    format!(
                        "{} {} {}",
                        i["name"].as_str().unwrap(),
                        i["version"].as_str().unwrap(),
                        if i["weak"] == true { "weak" } else { "" }
                    )
                    .to_lowercase()
                })
                .collect(),
        );
        v["artifacts"][0]["imports"] = json!(imports);
        variants.push(v);
    }
    r["matrix_variants"] = json!((0..12)
        .map(|k| format!("variant-{k:02}"))
        .collect::<Vec<_>>());
    r["variants"] = json!(variants);
    r["summary"]["variants"] = json!(12);
    r["summary"]["built"] = json!(12);
    r["summary"]["static"] = json!(0);
    let json_path = dir.join("big.json");
    std::fs::write(&json_path, serde_json::to_vec(&r).unwrap()).unwrap();
    let html = dir.join("big.html");
    html_page("merge", &html, &[json_path]);
    (html, names)
}

#[test]
fn twelve_variants_of_a_thousand_imports_filter_quickly() {
    let dir = tempdir();
    let (report, _) = real_build(dir.path());
    let (html, names) = big_report(dir.path(), &report);
    let imports: usize = names.iter().map(Vec::len).sum();
    assert!(imports >= 12_000);

    let mut b = Browser::launch();
    let url = b.open(&html, "");
    assert_eq!(b.requests(&url), Vec::<String>::new());
    assert_eq!(b.errors(), Vec::<String>::new());
    let rows = b
        .eval("document.querySelectorAll('tr[data-k]').length")
        .as_u64()
        .unwrap() as usize;
    assert!(
        rows >= imports,
        "{rows} filterable rows for {imports} imports"
    );

    // type into the box the way a person does; the page times its own filter
    let type_query = |b: &mut Browser, q: &str| -> (f64, String) {
        b.eval(
            "(() => { const f = document.getElementById('filter'); f.value = ''; f.focus(); })()",
        );
        b.call("Input.insertText", json!({"text": q}));
        let ms = b
            .eval("document.getElementById('filter-ms').getAttribute('data-ms')")
            .as_str()
            .unwrap_or_else(|| panic!("no filter time in the page"))
            .parse::<f64>()
            .unwrap();
        let matches = b.eval("document.getElementById('matches').textContent");
        (ms, matches.as_str().unwrap().to_owned())
    };
    // an oracle for the count: the imports' own text (no library or hazard row has "sym_")
    let query = "sym_3_1";
    let expected: usize = names.iter().flatten().filter(|k| k.contains(query)).count();
    assert!(expected > 0);
    let (closed, matches) = type_query(&mut b, query);
    assert_eq!(matches, format!("{expected} of {rows} rows match"));
    let visible =
        b.eval("[...document.querySelectorAll('tr[data-k]')].filter(r => !r.hidden).length");
    assert_eq!(visible, json!(expected));
    // variants without a match are dimmed in the grid
    let dimmed = b.eval("document.querySelectorAll('#grid tr.nomatch').length");
    assert_eq!(dimmed, json!(11));

    // the worst case: every variant's details open, so every row is laid out
    // (laid out once before the filter, which is timed alone)
    b.eval("document.getElementById('expand').click(), document.body.offsetHeight");
    let (open, _) = type_query(&mut b, "glibc_2.3");
    let (open_clear, _) = type_query(&mut b, "x");
    eprintln!(
        "filter of {rows} rows in Chromium: {closed:.1} ms (details closed), \
         {open:.1} ms and {open_clear:.1} ms (all details open); target 100 ms"
    );
    // generous: a loaded CI machine shares two cores; the figure is printed above
    for ms in [closed, open, open_clear] {
        assert!(ms < 2000.0, "filter took {ms} ms");
    }
    assert_eq!(b.errors(), Vec::<String>::new());
}

/// `cargo portable SUB --format html -o OUT INPUTS…`, which must succeed.
fn html_page(sub: &str, out: &Path, inputs: &[impl AsRef<std::ffi::OsStr>]) {
    let o = portable()
        .args([sub, "--format", "html", "-o"])
        .arg(out)
        .args(inputs)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{sub}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
