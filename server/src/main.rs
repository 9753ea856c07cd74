#![recursion_limit = "256"]

use std::net::SocketAddr;

use axum::serve::ListenerExt;
use server::{build, Config};
use tracing_subscriber::EnvFilter;

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Static files are read on tokio's blocking pool (`tokio::fs`), which by default grows
        // to 512 threads: 32 connections fetching files made 100+ threads, and glibc keeps up
        // to 40 MiB of dead threads' stacks cached, resident memory 50 -> 90 MB for good. File
        // reads are short; a few threads serve them as fast. (SQLite connections and password
        // hashing have threads of their own.)
        .max_blocking_threads(8)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            std::process::exit(1);
        }
    };
    runtime.block_on(serve());
}

async fn serve() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    if let Err(error) = run().await {
        tracing::error!(%error, "server stopped");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), server::StartupError> {
    let config = Config::load()?;
    let server = build(&config).await?;
    // No Nagle delay: a response written in two parts (headers, then a file body) would
    // otherwise wait for the client's delayed ACK, about 40 ms.
    let listener = tokio::net::TcpListener::bind(config.server.site_addr)
        .await?
        .tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "could not set TCP_NODELAY");
            }
        });
    tracing::info!(
        "listening on http://{} (public URL {})",
        config.server.site_addr,
        config.server.public_url
    );
    axum::serve(
        listener,
        server
            .router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // In-flight requests have finished; close the pool so SQLite checkpoints its WAL.
    server.state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM (what systemd and container runtimes send) stops accepting connections
/// and lets running requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
