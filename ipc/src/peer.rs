//! Peer credentials and the system user database.
//!
//! User names are looked up with `getpwuid_r`/`getpwnam_r`, i.e. through the C
//! library's NSS machinery. That is deliberate: it is what makes a statically
//! linked glibc build of this server hazardous (glibc's static NSS needs the
//! matching shared libnss_* modules at run time), which cargo-portable detects.

use std::io;

/// The credentials of the process at the other end of a Unix socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerCred {
    pub uid: u32,
    pub gid: u32,
    /// Not every platform reports the peer's pid.
    pub pid: Option<i32>,
}

/// The user name for `uid`, `Ok(None)` if the database has no such user.
#[cfg(unix)]
pub fn user_name(uid: u32) -> io::Result<Option<String>> {
    // SAFETY: getpwuid_r writes only into the buffers we pass.
    lookup(|pwd, buf, len, result| unsafe {
        libc::getpwuid_r(uid as libc::uid_t, pwd, buf, len, result)
    })
    .map(|o| o.map(|(name, _)| name))
}

/// The uid of user `name`, `Ok(None)` if the database has no such user.
#[cfg(unix)]
pub fn user_uid(name: &str) -> io::Result<Option<u32>> {
    let cname = std::ffi::CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "user name contains NUL"))?;
    // SAFETY: getpwnam_r reads the NUL-terminated name and writes only into the
    // buffers we pass.
    lookup(|pwd, buf, len, result| unsafe {
        libc::getpwnam_r(cname.as_ptr(), pwd, buf, len, result)
    })
    .map(|o| o.map(|(_, uid)| uid))
}

#[cfg(unix)]
fn lookup(
    mut call: impl FnMut(
        *mut libc::passwd,
        *mut libc::c_char,
        libc::size_t,
        *mut *mut libc::passwd,
    ) -> libc::c_int,
) -> io::Result<Option<(String, u32)>> {
    // SAFETY: sysconf has no preconditions.
    let hint = unsafe { libc::sysconf(libc::_SC_GETPW_R_SIZE_MAX) };
    let mut cap: usize = if hint > 0 { hint as usize } else { 1024 };
    loop {
        let mut buf: Vec<libc::c_char> = vec![0; cap];
        // SAFETY: passwd is plain old data; all-zero is a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = call(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc == 0 {
            if result.is_null() {
                return Ok(None);
            }
            // SAFETY: on success pw_name points to a NUL-terminated string in buf.
            let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }
                .to_string_lossy()
                .into_owned();
            return Ok(Some((name, pwd.pw_uid)));
        }
        if rc == libc::ERANGE && cap < (1 << 20) {
            cap *= 2;
            continue;
        }
        // POSIX allows these for "not found" on some systems.
        if matches!(rc, libc::ENOENT | libc::ESRCH | libc::EBADF | libc::EPERM) {
            return Ok(None);
        }
        return Err(io::Error::from_raw_os_error(rc));
    }
}

#[cfg(not(unix))]
pub fn user_name(_uid: u32) -> io::Result<Option<String>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no user database on this platform",
    ))
}

#[cfg(not(unix))]
pub fn user_uid(_name: &str) -> io::Result<Option<u32>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no user database on this platform",
    ))
}

/// The real uid of this process.
#[cfg(unix)]
pub fn current_uid() -> Option<u32> {
    // SAFETY: getuid cannot fail.
    Some(unsafe { libc::getuid() })
}

#[cfg(not(unix))]
pub fn current_uid() -> Option<u32> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn root_is_in_the_database() {
        assert_eq!(user_name(0).unwrap().as_deref(), Some("root"));
        assert_eq!(user_uid("root").unwrap(), Some(0));
    }

    #[test]
    fn unknown_user() {
        assert_eq!(user_uid("no-such-user-ipc-test").unwrap(), None);
        assert_eq!(user_name(3_999_999_999).unwrap(), None);
    }
}
