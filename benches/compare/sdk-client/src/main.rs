//! The comparison's aws-sdk-gamelift program: static credentials, an endpoint override, the
//! SDK's defaults otherwise (its hyper + rustls client, standard retries), on a current-thread
//! tokio runtime (the cheapest runtime for one call at a time). aws-sdk-gamelift speaks Smithy
//! RPC v2 CBOR only; the comparison server answers it.
//!
//! Usage: `sdk-client URL once` (prints the token) or `sdk-client URL loop CALLS WARMUP`
//! (prints `{"wall_ns":[...],"cpu_ns":[...]}`).

use aws_sdk_gamelift::config::{BehaviorVersion, Credentials, Region};

const FLEET: &str = "fleet-1a2b3c4d";
const COMPUTE: &str = "game-server-1";

fn clock_ns(id: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and out-pointer.
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = aws_sdk_gamelift::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .credentials_provider(Credentials::new(
            "AKIDLOCALSTANDIN",
            "localstandinsecret",
            None,
            None,
            "static",
        ))
        .endpoint_url(&args[1])
        .build();
    let client = aws_sdk_gamelift::Client::from_conf(config);
    let call = || async {
        let out = client
            .get_compute_auth_token()
            .fleet_id(FLEET)
            .compute_name(COMPUTE)
            .send()
            .await
            .expect("GetComputeAuthToken");
        out.auth_token.expect("AuthToken")
    };
    match args[2].as_str() {
        "once" => println!("{}", call().await),
        "loop" => {
            let calls: usize = args[3].parse().unwrap();
            let warmup: usize = args[4].parse().unwrap();
            for _ in 0..warmup {
                std::hint::black_box(call().await);
            }
            let (mut wall, mut cpu) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
            for _ in 0..calls {
                let w0 = clock_ns(libc::CLOCK_MONOTONIC);
                let c0 = clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID);
                std::hint::black_box(call().await);
                let c1 = clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID);
                let w1 = clock_ns(libc::CLOCK_MONOTONIC);
                wall.push((w1 - w0).to_string());
                cpu.push((c1 - c0).to_string());
            }
            println!(
                "{{\"wall_ns\":[{}],\"cpu_ns\":[{}]}}",
                wall.join(","),
                cpu.join(",")
            );
        }
        m => panic!("unknown mode {m}"),
    }
}
