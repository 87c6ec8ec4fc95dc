//! Commands as a user would type them into a POSIX shell.

use std::path::Path;
use std::process::Command;

use crate::render::escape::shell_word;

/// A command as a shell line (`cargo rustc … -- …`): the program's file name, then
/// the arguments, quoted where a shell would need it.
pub fn command_line(c: &Command) -> String {
    let program = Path::new(c.get_program())
        .file_name()
        .unwrap_or(c.get_program())
        .to_string_lossy()
        .into_owned();
    // the variables that change what is built, so the line can be run again as it is
    let mut words: Vec<String> = c
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?, v?.to_string_lossy())))
        .filter_map(|(k, v)| match k {
            "CARGO_ENCODED_RUSTFLAGS" if !v.is_empty() => {
                Some(format!("RUSTFLAGS={}", shell_word(&v.replace('\x1f', " "))))
            }
            "MACOSX_DEPLOYMENT_TARGET" | "SDKROOT" => Some(format!("{k}={}", shell_word(&v))),
            // PKG_CONFIG_*: a cross glibc variant's multiarch system library
            _ if ["CC_", "CXX_", "AR_", "RANLIB_", "CXXSTDLIB_", "PKG_CONFIG_"]
                .iter()
                .any(|p| k.starts_with(p)) =>
            {
                Some(format!("{k}={}", shell_word(&v)))
            }
            _ => None,
        })
        .collect();
    words.push(program);
    words.extend(c.get_args().map(|a| shell_word(&a.to_string_lossy())));
    words.join(" ")
}
