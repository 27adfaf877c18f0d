//! `relay --bind 127.0.0.1:PORT`: the bare websocket relay (see `werkplaats_loadgen::relay`).

use std::net::SocketAddr;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Bare websocket relay without CRDT: the benchmark's physical reference")]
struct Args {
    #[arg(long, default_value = "127.0.0.1:9100")]
    bind: SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.bind.ip().is_loopback(), "bind a loopback address");
    werkplaats_loadgen::relay::serve(args.bind).await
}
