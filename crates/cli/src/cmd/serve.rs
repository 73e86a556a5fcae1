//! `eduaid serve`: the workbench (学生资助工作台) in the browser, on the
//! county's store. The server itself is in [`crate::serve`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::common::{Ctx, Status};

/// `eduaid serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on; loopback by default. Any other address requires a token (--token or EDUAID_TOKEN, else one is made and printed)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    /// The county's store (a SQLite file, created if missing) [default: county.db in the user's data folder]
    #[arg(long, value_name = "FILE")]
    pub(crate) store: Option<PathBuf>,
    /// The token clients must give (Authorization: Bearer TOKEN, or ?token=TOKEN in the page's address)
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// The store used when none is named: `county.db` in the user's data
/// folder (`$XDG_DATA_HOME/eduaid`, `~/.local/share/eduaid`, or
/// `%APPDATA%\eduaid`), else in the current folder.
pub(crate) fn default_store() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")));
    match base {
        Some(b) => b.join("eduaid").join("county.db"),
        None => PathBuf::from("county.db"),
    }
}

/// Run the command: serve until stopped.
pub(crate) fn run(args: &ServeArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let store = args.store.clone().unwrap_or_else(default_store);
    if let Some(dir) = store.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::serve::run(
        &crate::serve::Config {
            addr: args.addr,
            store,
            token: args.token.clone().or_else(|| std::env::var("EDUAID_TOKEN").ok()),
        },
        ctx,
    )?;
    Ok(Status::Clean)
}
