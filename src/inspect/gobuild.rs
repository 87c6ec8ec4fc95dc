//! Go's build information: the Go version, the main module, every dependency module
//! and the build settings that every Go binary since Go 1.13 carries — the Go twin
//! of cargo-auditable's crate list, and what `go version -m FILE` prints.
//!
//! Where it is (Go's `debug/buildinfo` and `cmd/link`, read as documentation):
//! - a 32-byte header, `"\xff Go buildinf:"`, a pointer size, a flags byte, then two
//!   pointers; 16-byte aligned, in `.go.buildinfo` (ELF), `__go_buildinfo` (Mach-O)
//!   or near the start of the data;
//! - since Go 1.18 (flags bit 1) the two strings follow the header inline, each a
//!   uvarint length and its bytes: the version (`go1.19.8`), then the module text;
//! - before Go 1.18 the two pointers point at Go string headers (data pointer,
//!   length) in the image, read through the segments' addresses;
//! - the module text is framed by two 16-byte sentinels (`cmd/go`'s `infoStart` and
//!   `infoEnd`), and its lines are `path`, `mod`, `dep`, `=>` (replacement of the line
//!   before) and `build KEY=VALUE` (`runtime/debug.ParseBuildInfo`).
//!
//! Binaries whose header was removed or overwritten (packers, some release tooling)
//! still hold the framed module text and the `runtime.buildVersion` string: where
//! no header is found the text is found by its sentinels and the version through the
//! `runtime.buildVersion` symbol, else the first `go1.N[.M]` string of the file
//! ([`Found::Sentinels`] says so). `go version -m` reports such a file as not Go.
//!
//! Pure: bytes in, facts out. Nothing panics on a malformed file: every offset and
//! length is checked, and a lying header is a [`GoBuildError`] naming what lies.

pub use crate::model::{GoBuildInfo, GoFound as Found, GoModule, GoSetting};
use object::{Object, ObjectSegment, ObjectSymbol};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER: usize = 32;
const ALIGN: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE: u8 = 0x2;
/// `cmd/go/internal/modload`'s `infoStart` and `infoEnd`.
const INFO_START: &[u8] = b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
const INFO_END: &[u8] = b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";
/// The most a version or module string may claim: a lie past it is an error, not an
/// allocation.
const MAX_STRING: u64 = 64 << 20;

/// A header or module text that cannot be what it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoBuildError {
    #[error("Go build information at offset {offset:#x}: {detail}")]
    Header { offset: usize, detail: String },
    #[error("Go build information: the {what} is not UTF-8")]
    NotUtf8 { what: &'static str },
    #[error("Go build information: module text line {line}: {detail}")]
    Line { line: usize, detail: String },
}

/// The Go build information of `data` (a whole file, or one slice of a universal
/// binary). `Ok(None)`: not a Go binary (neither the header nor the framed module text
/// is there).
pub fn read(data: &[u8]) -> Result<Option<GoBuildInfo>, GoBuildError> {
    read_with_hint(data, None)
}

/// [`read`], looking first at `hint`: the file offset of the section that holds the
/// header (`.go.buildinfo`), which saves searching the file for it.
pub fn read_with_hint(
    data: &[u8],
    hint: Option<usize>,
) -> Result<Option<GoBuildInfo>, GoBuildError> {
    let object = object::File::parse(data).ok();
    let at_hint = hint.filter(|&h| {
        h % ALIGN == 0
            && data
                .get(h..h + HEADER)
                .is_some_and(|b| b.starts_with(MAGIC))
    });
    if let Some(offset) = at_hint.or_else(|| find_header(data)) {
        let (version, modinfo, found) = read_header(data, object.as_ref(), offset)?;
        let version = utf8(version, "version string")?;
        let text = utf8(unframe(&modinfo), "module text")?;
        let mut info = parse_modinfo(&text)?;
        info.version = Some(version).filter(|v| !v.is_empty());
        info.found = found;
        return Ok(Some(info));
    }
    let Some(framed) = find_framed(data) else {
        return Ok(None);
    };
    let text = utf8(framed.to_vec(), "module text")?;
    let mut info = parse_modinfo(&text)?;
    info.version = object
        .as_ref()
        .and_then(|o| build_version_symbol(data, o))
        .or_else(|| version_string(data));
    Ok(Some(info))
}

fn utf8(bytes: Vec<u8>, what: &'static str) -> Result<String, GoBuildError> {
    String::from_utf8(bytes).map_err(|_| GoBuildError::NotUtf8 { what })
}

/// The first 16-byte aligned header in the file (file offsets keep the alignment of
/// addresses: sections are aligned at least as much in the file as in memory).
fn find_header(data: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(data, MAGIC).find(|&i| i % ALIGN == 0 && data.len() - i >= HEADER)
}

/// The version and module strings the header at `offset` gives.
fn read_header(
    data: &[u8],
    object: Option<&object::File>,
    offset: usize,
) -> Result<(Vec<u8>, Vec<u8>, Found), GoBuildError> {
    let bad = |detail: String| GoBuildError::Header { offset, detail };
    let header = &data[offset..offset + HEADER];
    let flags = header[15];
    if flags & FLAG_INLINE != 0 {
        let (version, next) =
            inline_string(data, offset + HEADER).map_err(|d| bad(format!("version string {d}")))?;
        let (modinfo, _) =
            inline_string(data, next).map_err(|d| bad(format!("module text {d}")))?;
        return Ok((version.to_vec(), modinfo.to_vec(), Found::HeaderInline));
    }
    let ptr_size = header[14] as usize;
    if ptr_size != 4 && ptr_size != 8 {
        return Err(bad(format!("pointer size {ptr_size} (4 or 8 expected)")));
    }
    let big = flags & FLAG_BIG_ENDIAN != 0;
    let object =
        object.ok_or_else(|| bad("pointers, but the file's segments cannot be read".into()))?;
    let ptr = |b: &[u8]| read_uint(b, ptr_size, big);
    let string = |at: u64, what: &str| {
        go_string(data, object, at, ptr_size, big).ok_or_else(|| {
            bad(format!(
                "the {what} pointer {at:#x} points outside the file"
            ))
        })
    };
    let version = string(ptr(&header[16..]), "version")?;
    let modinfo = string(ptr(&header[16 + ptr_size..]), "module text")?;
    Ok((version, modinfo, Found::HeaderPointers))
}

/// A uvarint length and that many bytes at `at`; the error says what is wrong.
fn inline_string(data: &[u8], at: usize) -> Result<(&[u8], usize), String> {
    let (len, n) = uvarint(data.get(at..).unwrap_or_default()).ok_or("has no valid length")?;
    let start = at + n;
    if len > MAX_STRING {
        return Err(format!("claims {len} bytes"));
    }
    let end = start
        .checked_add(len as usize)
        .filter(|&e| e <= data.len())
        .ok_or_else(|| {
            format!(
                "of {len} bytes at offset {start:#x} runs past the end of the file ({} bytes)",
                data.len()
            )
        })?;
    Ok((&data[start..end], end))
}

/// Go's unsigned varint: 7 bits a byte, low first; at most 10 bytes.
fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    for (i, &byte) in b.iter().take(10).enumerate() {
        if i == 9 && byte > 1 {
            return None;
        }
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((x, i + 1));
        }
    }
    None
}

fn read_uint(b: &[u8], size: usize, big: bool) -> u64 {
    let b = &b[..size];
    let mut x = 0u64;
    for i in 0..size {
        let byte = if big { b[i] } else { b[size - 1 - i] };
        x = (x << 8) | u64::from(byte);
    }
    x
}

/// The file bytes `len` long at virtual address `addr`, through the segment that
/// maps it from the file.
fn at_address<'a>(data: &'a [u8], object: &object::File, addr: u64, len: u64) -> Option<&'a [u8]> {
    object.segments().find_map(|seg| {
        let (file_off, file_size) = seg.file_range();
        let start = seg.address();
        let rel = addr.checked_sub(start)?;
        if rel >= file_size || len > file_size - rel {
            return None;
        }
        let from = usize::try_from(file_off.checked_add(rel)?).ok()?;
        data.get(from..from.checked_add(usize::try_from(len).ok()?)?)
    })
}

/// A Go string (data pointer, length) whose header is at `addr`.
fn go_string(
    data: &[u8],
    object: &object::File,
    addr: u64,
    ptr_size: usize,
    big: bool,
) -> Option<Vec<u8>> {
    let header = at_address(data, object, addr, 2 * ptr_size as u64)?;
    let ptr = read_uint(header, ptr_size, big);
    let len = read_uint(&header[ptr_size..], ptr_size, big);
    if len > MAX_STRING {
        return None;
    }
    at_address(data, object, ptr, len).map(<[u8]>::to_vec)
}

/// The module text without its sentinels, as Go strips them: only when the text
/// ends with a newline before the closing sentinel (else there is no module text).
fn unframe(modinfo: &[u8]) -> Vec<u8> {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        modinfo[16..n - 16].to_vec()
    } else {
        Vec::new()
    }
}

/// The module text between the two sentinels, where there is no header.
fn find_framed(data: &[u8]) -> Option<&[u8]> {
    let start = memchr::memmem::find(data, INFO_START)? + INFO_START.len();
    let len = memchr::memmem::find(&data[start..], INFO_END)?;
    let text = &data[start..start + len];
    (text.last() == Some(&b'\n')).then_some(text)
}

/// `runtime.buildVersion`, a Go string variable, through the symbol table.
fn build_version_symbol(data: &[u8], object: &object::File) -> Option<String> {
    let symbol = object
        .symbols()
        .find(|s| s.name() == Ok("runtime.buildVersion"))?;
    let ptr_size = if object.is_64() { 8 } else { 4 };
    let bytes = go_string(
        data,
        object,
        symbol.address(),
        ptr_size,
        !object.is_little_endian(),
    )?;
    let v = String::from_utf8(bytes).ok()?;
    v.starts_with("go").then_some(v)
}

/// The first `go1.N[.M]` (with an `rcN`/`betaN` suffix) in the file: the bytes of
/// `runtime.buildVersion` in a stripped binary. Go's strings are not terminated, so
/// the match ends at the first byte that cannot continue a version.
fn version_string(data: &[u8]) -> Option<String> {
    memchr::memmem::find_iter(data, b"go1.").find_map(|i| {
        if i > 0 && data[i - 1].is_ascii_alphanumeric() {
            return None;
        }
        let rest = &data[i + 4..];
        let minor = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if minor == 0 || minor > 3 {
            return None;
        }
        let mut end = 4 + minor;
        let tail = &data[i + end..];
        if tail.first() == Some(&b'.') {
            let patch = tail[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if (1..=3).contains(&patch) {
                end += 1 + patch;
            }
        }
        for pre in [&b"rc"[..], b"beta"] {
            let tail = &data[i + end..];
            if tail.starts_with(pre) {
                let n = tail[pre.len()..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if n > 0 {
                    end += pre.len() + n;
                }
            }
        }
        std::str::from_utf8(&data[i..i + end])
            .ok()
            .map(str::to_owned)
    })
}

/// The module text (`runtime/debug.ParseBuildInfo`'s format): a line that does not end
/// with a newline is ignored, as Go does, and so are lines of unknown kinds.
pub fn parse_modinfo(text: &str) -> Result<GoBuildInfo, GoBuildError> {
    let mut info = GoBuildInfo {
        version: None,
        path: None,
        main: None,
        deps: Vec::new(),
        settings: Vec::new(),
        found: Found::Sentinels,
    };
    // the module a `=>` line replaces: the main module or the last dependency
    #[derive(Clone, Copy)]
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    let lines = text.split_inclusive('\n').filter(|l| l.ends_with('\n'));
    for (n, line) in lines.enumerate() {
        let line = &line[..line.len() - 1];
        let bad = |detail: String| GoBuildError::Line {
            line: n + 1,
            detail,
        };
        let (kind, rest) = line.split_once('\t').unwrap_or((line, ""));
        match kind {
            "path" => info.path = Some(rest.to_owned()),
            "mod" => {
                info.main = Some(module(rest, false).map_err(bad)?);
                last = Last::Main;
            }
            "dep" => {
                info.deps.push(module(rest, false).map_err(bad)?);
                last = Last::Dep;
            }
            "=>" => {
                let replacement = Box::new(module(rest, true).map_err(bad)?);
                let target = match last {
                    Last::Main => info.main.as_mut(),
                    Last::Dep => info.deps.last_mut(),
                    Last::None => None,
                };
                let target = target
                    .ok_or_else(|| bad("replacement with no module on the line before".into()))?;
                target.replace = Some(replacement);
                last = Last::None;
            }
            "build" => info.settings.push(setting(rest).map_err(bad)?),
            _ => {}
        }
    }
    Ok(info)
}

/// `PATH\tVERSION[\tSUM]` (a replacement has exactly three columns).
fn module(cols: &str, replacement: bool) -> Result<GoModule, String> {
    let elem: Vec<&str> = cols.split('\t').collect();
    let ok = if replacement {
        elem.len() == 3
    } else {
        elem.len() == 2 || elem.len() == 3
    };
    if !ok {
        let want = if replacement { "3" } else { "2 or 3" };
        return Err(format!("expected {want} columns, got {}", elem.len()));
    }
    Ok(GoModule {
        path: elem[0].to_owned(),
        version: elem[1].to_owned(),
        sum: elem
            .get(2)
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_owned()),
        replace: None,
    })
}

/// `KEY=VALUE`, either side possibly Go-quoted.
fn setting(kv: &str) -> Result<GoSetting, String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'"' | b'`') => {
            let raw_key = quoted_prefix(kv).ok_or("invalid quoted key in build line")?;
            let rest = &kv[raw_key.len()..];
            let value = rest
                .strip_prefix('=')
                .ok_or("build line missing '=' after quoted key")?;
            (
                unquote(raw_key).ok_or("invalid quoted key in build line")?,
                value,
            )
        }
        Some(_) => {
            let (k, v) = kv
                .split_once('=')
                .ok_or("build line missing '=' after key")?;
            if needs_quote(k) || k.contains('=') {
                return Err(format!("unquoted key {k:?} must be quoted"));
            }
            (k.to_owned(), v)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => unquote(raw_value).ok_or("invalid quoted value in build line")?,
        _ if needs_quote(raw_value) => {
            return Err(format!("unquoted value {raw_value:?} must be quoted"))
        }
        _ => raw_value.to_owned(),
    };
    Ok(GoSetting { key, value })
}

fn needs_quote(s: &str) -> bool {
    s.contains([' ', '\t', '\r', '\n', '"', '`'])
}

/// The Go quoted string at the start of `s` (`"…"` with escapes, or `` `…` ``).
fn quoted_prefix(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    match b.first()? {
        b'`' => s[1..].find('`').map(|i| &s[..i + 2]),
        b'"' => {
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(&s[..i + 1]),
                    b'\n' => return None,
                    _ => i += 1,
                }
            }
            None
        }
        _ => None,
    }
}

/// Go's `strconv.Unquote` for a whole double-quoted or backquoted string.
fn unquote(s: &str) -> Option<String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        let inner = &s[1..s.len() - 1];
        return (!inner.contains('`')).then(|| inner.replace('\r', ""));
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = inner.chars();
    // \x and octal escapes give bytes; they are gathered and must form UTF-8 with the rest
    let flush = |bytes: &mut Vec<u8>, out: &mut String| -> Option<()> {
        if !bytes.is_empty() {
            out.push_str(std::str::from_utf8(bytes).ok()?);
            bytes.clear();
        }
        Some(())
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let e = chars.next()?;
                let simple = match e {
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    'f' => Some('\x0c'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\x0b'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    _ => None,
                };
                if let Some(c) = simple {
                    flush(&mut bytes, &mut out)?;
                    out.push(c);
                    continue;
                }
                match e {
                    'x' => bytes.push(u8::from_str_radix(&take(&mut chars, 2)?, 16).ok()?),
                    '0'..='7' => {
                        let rest = take(&mut chars, 2)?;
                        bytes.push(
                            u8::try_from(u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?)
                                .ok()?,
                        );
                    }
                    'u' | 'U' => {
                        flush(&mut bytes, &mut out)?;
                        let digits = take(&mut chars, if e == 'u' { 4 } else { 8 })?;
                        out.push(char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?);
                    }
                    _ => return None,
                }
            }
            c => {
                flush(&mut bytes, &mut out)?;
                out.push(c);
            }
        }
    }
    flush(&mut bytes, &mut out)?;
    Some(out)
}

fn take(chars: &mut std::str::Chars, n: usize) -> Option<String> {
    let s: String = chars.by_ref().take(n).collect();
    (s.chars().count() == n).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "path\texample.com/hello\n\
        mod\texample.com/hello\t(devel)\t\n\
        dep\texample.com/greet\tv0.0.0-00010101000000-000000000000\n\
        =>\t../greet\t(devel)\t\n\
        dep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\n\
        build\t-compiler=gc\n\
        build\t-ldflags=\"-s -w\"\n\
        build\tCGO_ENABLED=0\n\
        build\tGOOS=linux\n";

    fn framed(text: &str) -> Vec<u8> {
        [INFO_START, text.as_bytes(), INFO_END].concat()
    }

    /// A Go 1.18+ blob: the header at a 16-byte boundary, the strings inline.
    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; 48];
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&[8, FLAG_INLINE]);
        data.extend_from_slice(&[0; 16]);
        for s in [version.as_bytes(), modinfo] {
            let mut n = s.len();
            loop {
                let b = (n & 0x7f) as u8;
                n >>= 7;
                data.push(if n > 0 { b | 0x80 } else { b });
                if n == 0 {
                    break;
                }
            }
            data.extend_from_slice(s);
        }
        data.extend_from_slice(&[0; 7]);
        data
    }

    #[test]
    fn modules_settings_and_replacements_as_go_writes_them() {
        let info = parse_modinfo(TEXT).unwrap();
        assert_eq!(info.path.as_deref(), Some("example.com/hello"));
        let main = info.main.as_ref().unwrap();
        assert_eq!(
            (main.path.as_str(), main.version.as_str(), &main.sum),
            ("example.com/hello", "(devel)", &None)
        );
        assert_eq!(info.deps.len(), 2);
        let replaced = info.deps[0].replace.as_deref().unwrap();
        assert_eq!(
            (replaced.path.as_str(), replaced.version.as_str()),
            ("../greet", "(devel)")
        );
        assert_eq!(
            info.deps[1].sum.as_deref(),
            Some("h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=")
        );
        assert_eq!(info.setting("-ldflags"), Some("-s -w"));
        assert_eq!(info.setting("GOOS"), Some("linux"));
        assert_eq!(info.settings.len(), 4);
    }

    #[test]
    fn inline_header_is_read() {
        let data = inline_blob("go1.19.8", &framed(TEXT));
        let info = read(&data).unwrap().unwrap();
        assert_eq!(info.version.as_deref(), Some("go1.19.8"));
        assert_eq!(info.found, Found::HeaderInline);
        assert_eq!(info.deps.len(), 2);
    }

    #[test]
    fn without_the_header_the_sentinels_and_the_version_string_tell() {
        let mut data = inline_blob("go1.19.8", &framed(TEXT));
        let at = find_header(&data).unwrap();
        data[at..at + HEADER].fill(0);
        let info = read(&data).unwrap().unwrap();
        assert_eq!(info.found, Found::Sentinels);
        assert_eq!(info.version.as_deref(), Some("go1.19.8"));
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
    }

    #[test]
    fn not_go() {
        assert_eq!(read(b"\x7fELF not go at all").unwrap(), None);
        assert_eq!(read(&[]).unwrap(), None);
    }

    #[test]
    fn lying_lengths_and_bad_text_are_errors_not_panics() {
        // a length past the end of the file
        let mut data = inline_blob("go1.19.8", &framed(TEXT));
        let at = find_header(&data).unwrap() + HEADER;
        data[at] = 0x7f;
        data.truncate(at + 20);
        let e = read(&data).unwrap_err().to_string();
        assert!(e.contains("runs past the end of the file"), "{e}");
        // a varint that never ends
        let mut data = inline_blob("go1.19.8", b"");
        let at = find_header(&data).unwrap() + HEADER;
        data.truncate(at);
        data.extend_from_slice(&[0xff; 12]);
        assert!(read(&data)
            .unwrap_err()
            .to_string()
            .contains("no valid length"));
        // a version that is not UTF-8
        let data = inline_blob("go1.\u{1}", &framed(TEXT));
        let mut data = data;
        let i = memchr::memmem::find(&data, b"go1.").unwrap();
        data[i + 4] = 0xff;
        assert!(matches!(
            read(&data),
            Err(GoBuildError::NotUtf8 {
                what: "version string"
            })
        ));
        // a pointer-format header with an impossible pointer size
        let mut data = inline_blob("go1.16", b"");
        let at = find_header(&data).unwrap();
        data[at + 14] = 3;
        data[at + 15] = 0;
        assert!(read(&data)
            .unwrap_err()
            .to_string()
            .contains("pointer size 3"));
        // a module line with too many columns
        let e = parse_modinfo("dep\ta\tb\tc\td\n").unwrap_err().to_string();
        assert!(
            e.contains("line 1") && e.contains("expected 2 or 3 columns"),
            "{e}"
        );
        assert!(parse_modinfo("=>\ta\tb\tc\n").is_err());
        assert!(parse_modinfo("build\tno-equals\n").is_err());
        assert!(parse_modinfo("build\tk=has space\n").is_err());
    }

    #[test]
    fn quoted_keys_and_values_are_unquoted_as_strconv_does() {
        let info = parse_modinfo(
            "build\t\"we\\tird=key\"=\"tab\\there \\u00e9 \\xc3\\xa9 \\101\"\nbuild\tx=`raw \"q\"`\n",
        )
        .unwrap();
        assert_eq!(info.settings[0].key, "we\tird=key");
        assert_eq!(info.settings[0].value, "tab\there é é A");
        assert_eq!(info.settings[1].value, "raw \"q\"");
        assert_eq!(unquote("\"\\xff\""), None, "bytes that are not UTF-8");
        assert_eq!(unquote("\"open"), None);
    }

    #[test]
    fn version_strings_end_where_a_version_cannot_go_on() {
        assert_eq!(
            version_string(b"xx\0go1.21.5gzipbody").as_deref(),
            Some("go1.21.5")
        );
        assert_eq!(
            version_string(b"\0go1.22rc1\0").as_deref(),
            Some("go1.22rc1")
        );
        assert_eq!(version_string(b"cargo1.2 ego1.3").as_deref(), None);
    }
}
