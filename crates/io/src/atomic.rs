//! Writing a file so that nothing is lost: the bytes go to a temporary file
//! in the target's own folder, which is flushed, synced to disk and renamed
//! over the target only when complete. A failure, a kill, a full disk or a
//! second writer leaves either the old file or the complete new one, never
//! a fragment.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::Error;

/// A file being written atomically.
///
/// Everything written goes to a temporary file beside the target, named
/// `.<target name>.<random>.tmp`; [`commit`](AtomicFile::commit) syncs it
/// and renames it over the target. Dropping an `AtomicFile` without
/// committing it (an error, a panic) removes the temporary file and leaves
/// the target as it was. Only a kill between creation and commit can leave
/// a `.…tmp` file behind, never a damaged target.
///
/// A new file gets the usual permissions (`0o666` less the umask on Unix);
/// a replaced file keeps its permissions. A target that is a symbolic link
/// is written through: the file it points to is replaced, the link kept.
///
/// ```
/// use std::io::Write as _;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.csv");
/// let mut f = eduaid_io::AtomicFile::create(&path)?;
/// f.write_all(b"a,b\n1,2\n")?;
/// assert!(!path.exists()); // nothing there until the commit
/// f.commit()?;
/// assert_eq!(std::fs::read(&path)?, b"a,b\n1,2\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AtomicFile {
    /// The file replaced on commit (a symbolic link resolved).
    target: PathBuf,
    /// The name errors give the file: the path as the caller gave it.
    name: String,
    /// The temporary file, buffered.
    temp: BufWriter<NamedTempFile>,
}

impl std::fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicFile")
            .field("target", &self.target)
            .field("temp", &self.temp.get_ref().path())
            .finish()
    }
}

/// The folder a file is in (`.` for a bare file name).
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The file a write to `path` replaces: `path`, or the file a symbolic link
/// at `path` points to.
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// A new temporary file in the folder of `target`.
fn temp_beside(target: &Path) -> std::io::Result<NamedTempFile> {
    let base = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{base}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // What `File::create` gives: the umask still applies.
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(folder(target))
}

impl AtomicFile {
    /// Start writing `path`: create the temporary file in its folder.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder is missing or not writable: found here,
    /// before any work is done.
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let name = path.display().to_string();
        let target = resolve(path);
        if target.is_dir() {
            return Err(Error::io(
                &name,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder, not a file"),
            ));
        }
        let temp = temp_beside(&target).map_err(|e| Error::io(&name, e))?;
        Ok(AtomicFile {
            target,
            name,
            temp: BufWriter::with_capacity(256 * 1024, temp),
        })
    }

    /// The file that the commit replaces.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Finish: flush and sync the temporary file, give it the permissions
    /// of the file it replaces, and rename it over the target.
    ///
    /// # Errors
    /// [`Error::Io`] if a write, the sync or the rename fails; the target is
    /// then untouched and the temporary file removed.
    pub fn commit(self) -> Result<(), Error> {
        let name = self.name;
        let io = |e: std::io::Error| Error::io(&name, e);
        let temp = self.temp.into_inner().map_err(|e| io(e.into_error()))?;
        temp.as_file().sync_all().map_err(io)?;
        if let Ok(meta) = std::fs::metadata(&self.target) {
            // Best effort: a file we may replace but not chmod keeps ours.
            let _ = temp.as_file().set_permissions(meta.permissions());
        }
        temp.persist(&self.target).map_err(|e| io(e.error))?;
        sync_folder(folder(&self.target));
        Ok(())
    }
}

/// Make the rename durable: sync the folder (Unix; best effort).
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.temp.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

/// Write the file at `path` atomically: `write` fills an [`AtomicFile`],
/// which is committed if it returns `Ok`. If it returns an error, the file
/// at `path` is left exactly as it was and no temporary file remains.
///
/// The temporary file is created before `write` runs, so a folder that is
/// missing or read-only is an error before any work.
///
/// ```
/// use std::io::Write as _;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("totals.csv");
/// std::fs::write(&path, "old")?;
/// let failed: Result<(), eduaid_io::Error> = eduaid_io::write_atomically(&path, |w| {
///     w.write_all(b"half a fi").map_err(|e| eduaid_io::Error::Io { file: "totals.csv".into(), source: e })?;
///     Err(eduaid_io::Error::Write { what: "row", key: "7".into(), reason: "cannot be written".into() })
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path)?, "old");
/// eduaid_io::write_atomically(&path, |w| w.write_all(b"new").map_err(|e| eduaid_io::Error::Io { file: "totals.csv".into(), source: e }))?;
/// assert_eq!(std::fs::read_to_string(&path)?, "new");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Io`] (converted into `E`) if the temporary file cannot be
/// created, written, synced or renamed; or the error `write` returns.
pub fn write_atomically<T, E, F>(path: &Path, write: F) -> Result<T, E>
where
    E: From<Error>,
    F: FnOnce(&mut AtomicFile) -> Result<T, E>,
{
    let mut file = AtomicFile::create(path)?;
    let value = write(&mut file)?;
    file.commit()?;
    Ok(value)
}

/// Write `bytes` to the file at `path` atomically (see
/// [`write_atomically`]): a rendered report, a JSON document.
///
/// # Errors
/// [`Error::Io`] naming `path`; the file is then left as it was.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically(path, |w| {
        w.write_all(bytes)
            .map_err(|e| Error::io(&path.display().to_string(), e))
    })
}

/// Check, before a long computation, that `path` can be written: its folder
/// exists and takes a new file (one is created there and removed), and
/// `path` is not a folder.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    AtomicFile::create(path).map(drop)
}
